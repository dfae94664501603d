package suite_test

import "syscall"

// mirrorInput sets every field of Linux's syscall.SysProcAttr (for
// TestMirrorTypes).
func mirrorInput() *syscall.SysProcAttr {
	pid := 5
	return &syscall.SysProcAttr{
		Chroot: "c", Credential: &syscall.Credential{Uid: 1, Gid: 2, Groups: []uint32{3}, NoSetGroups: true},
		Ptrace: true, Setsid: true, Setpgid: true, Setctty: true, Noctty: true, Ctty: 4, Foreground: true,
		Pgid: 6, Pdeathsig: syscall.SIGUSR1, Cloneflags: 7, Unshareflags: 8,
		UidMappings:                []syscall.SysProcIDMap{{ContainerID: 1, HostID: 2, Size: 3}},
		GidMappings:                []syscall.SysProcIDMap{{ContainerID: 4, HostID: 5, Size: 6}},
		GidMappingsEnableSetgroups: true, AmbientCaps: []uintptr{9}, UseCgroupFD: true, CgroupFD: 10, PidFD: &pid,
	}
}
