package main

// target is what the generator must know about one GOOS/GOARCH beyond what
// golang.org/x/sys/unix already says.
type target struct {
	goos, goarch string
	// renames maps a system call to the one this target uses in its place.
	renames map[string]string
	// cloneSwapsFirstTwo: clone(2) takes (stack, flags, ...) rather than
	// (flags, stack, ...).
	cloneSwapsFirstTwo bool
}

// sysno returns the system call the target uses for name.
func (t target) sysno(name string) string {
	if r, ok := t.renames[name]; ok {
		return r
	}
	return name
}

// uid32 are the renames for the 32-bit targets whose original setuid,
// setgid and setgroups take 16-bit ids, and whose fcntl takes a 32-bit
// off_t: the kernel keeps the old calls, so using them would silently
// truncate an id above 65535.
var uid32 = map[string]string{
	"SYS_SETUID":    "SYS_SETUID32",
	"SYS_SETGID":    "SYS_SETGID32",
	"SYS_SETGROUPS": "SYS_SETGROUPS32",
	"SYS_GETUID":    "SYS_GETUID32",
	"SYS_GETGID":    "SYS_GETGID32",
	"SYS_FCNTL":     "SYS_FCNTL64",
}

// targets lists every GOOS/GOARCH the generator supports.
var targets = []target{
	{goos: "linux", goarch: "amd64"},
	{goos: "linux", goarch: "arm64"},
	{goos: "linux", goarch: "386", renames: uid32},
	{goos: "linux", goarch: "arm", renames: uid32},
	{goos: "linux", goarch: "riscv64"},
	{goos: "linux", goarch: "ppc64le"},
	{goos: "linux", goarch: "s390x", cloneSwapsFirstTwo: true},
	{goos: "linux", goarch: "loong64"},
	{goos: "linux", goarch: "mips64le"},
}

func lookupTarget(goos, goarch string) (target, bool) {
	for _, t := range targets {
		if t.goos == goos && t.goarch == goarch {
			return t, true
		}
	}
	return target{}, false
}
