package suite

// FreeBSD has none of the Linux-only scenarios (scenarios_linux.go): their
// SysProcAttr fields and features do not exist there.

func registerCredUserns()                      {}
func registerProcLinux()                       {}
func registerSettingsLinux()                   {}
func registerSettingsLinuxLate(func(int) *int) {}
func stepErrorsLinux() []Scenario              { return nil }
