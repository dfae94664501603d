//go:build freebsd

package forkexec

import "unsafe"

// Test hooks of the FreeBSD port, for the external test package.

// SetForceVfork makes spawns skip rfork(RFSPAWN) and use vfork, as on
// FreeBSD before 12.2.
func SetForceVfork(on bool) { forceVfork = on }

// PdeathsigStatus returns the calling process's parent-death signal, as
// procctl(PROC_PDEATHSIG_STATUS) reports it (0 if none).
func PdeathsigStatus() (int, error) {
	const procPdeathsigStatus = 12 // PROC_PDEATHSIG_STATUS, <sys/procctl.h>
	var sig int32
	if err := rawProcctl(pPID, 0, procPdeathsigStatus, unsafe.Pointer(&sig)); err != 0 {
		return 0, err
	}
	return int(sig), nil
}

// NoNewPrivsStatus returns the calling process's no-new-privileges flag, as
// procctl(PROC_NO_NEW_PRIVS_STATUS) reports it (1 if set).
func NoNewPrivsStatus() (int, error) {
	const procNoNewPrivsStatus = 20 // PROC_NO_NEW_PRIVS_STATUS, <sys/procctl.h>
	var v int32
	if err := rawProcctl(pPID, 0, procNoNewPrivsStatus, unsafe.Pointer(&v)); err != 0 {
		return 0, err
	}
	return int(v), nil
}
