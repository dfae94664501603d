package suite_test

import "syscall"

// mirrorInput sets every field of FreeBSD's syscall.SysProcAttr (for
// TestMirrorTypes).
func mirrorInput() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{
		Chroot: "c", Credential: &syscall.Credential{Uid: 1, Gid: 2, Groups: []uint32{3}, NoSetGroups: true},
		Ptrace: true, Setsid: true, Setpgid: true, Setctty: true, Noctty: true, Ctty: 4, Foreground: true,
		Pgid: 6, Pdeathsig: syscall.SIGUSR1, Jail: 7,
	}
}
