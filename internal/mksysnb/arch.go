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
	// words32: registers are 32 bits wide, so a 64-bit argument (int64,
	// uint64) takes two argument slots, low word first: every 32-bit
	// target here is little-endian.
	words32 bool
	// pairsEven: a 64-bit argument's two slots start at an even argument
	// index, with a zero slot inserted before it if need be. This is the
	// ARM EABI rule (a 64-bit value goes in an even/odd register pair),
	// which both Linux and FreeBSD follow for system calls on arm.
	pairsEven bool
}

// sysno returns the system call the target uses for name.
func (t target) sysno(name string) string {
	if r, ok := t.renames[name]; ok {
		return r
	}
	return name
}

// uid32 are the renames for the 32-bit Linux targets whose original setuid,
// setgid and setgroups take 16-bit ids, and whose fcntl takes a 32-bit
// off_t: the kernel keeps the old calls, so using them would silently
// truncate an id above 65535. FreeBSD's ids were always 32 bits, and its
// system call numbers are the same on every architecture.
var uid32 = map[string]string{
	"SYS_SETUID":    "SYS_SETUID32",
	"SYS_SETGID":    "SYS_SETGID32",
	"SYS_SETGROUPS": "SYS_SETGROUPS32",
	"SYS_GETUID":    "SYS_GETUID32",
	"SYS_GETGID":    "SYS_GETGID32",
	"SYS_FCNTL":     "SYS_FCNTL64",
}

// targetTable lists every GOOS/GOARCH the generator supports, with what it
// must know of each; TestTargetTableMatchesList checks it holds exactly the
// targets of internal/targets/targets.txt.
var targetTable = []target{
	{goos: "linux", goarch: "amd64"},
	{goos: "linux", goarch: "arm64"},
	{goos: "linux", goarch: "386", renames: uid32, words32: true},
	{goos: "linux", goarch: "arm", renames: uid32, words32: true, pairsEven: true},
	{goos: "linux", goarch: "riscv64"},
	{goos: "linux", goarch: "ppc64le"},
	{goos: "linux", goarch: "s390x", cloneSwapsFirstTwo: true},
	{goos: "linux", goarch: "loong64"},
	{goos: "linux", goarch: "mips64le"},

	{goos: "freebsd", goarch: "amd64"},
	{goos: "freebsd", goarch: "arm64"},
	{goos: "freebsd", goarch: "386", words32: true},
	{goos: "freebsd", goarch: "arm", words32: true, pairsEven: true},
	{goos: "freebsd", goarch: "riscv64"},
}

func lookupTarget(goos, goarch string) (target, bool) {
	for _, t := range targetTable {
		if t.goos == goos && t.goarch == goarch {
			return t, true
		}
	}
	return target{}, false
}
