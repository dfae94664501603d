//go:build linux

package forkexec

// Test hooks for the external test package.

// SetForceClone3 makes spawns use clone3 even where clone would do.
func SetForceClone3(on bool) { forceClone3 = on }

// SetForceCloseFDsByProc makes CloseFDs skip close_range and list
// /proc/self/fd, as on kernels before 5.11.
func SetForceCloseFDsByProc(on bool) { forceCloseFDsByProc = on }

// SharesMemory reports whether a child of sys leaves its report in the
// parent's memory.
func SharesMemory(sys *SysProcAttr) bool { return !decide(&ProcAttr{Sys: sys}, sys).reportPipe }

// ChildPath names the path a child of sys takes: "vfork", "own stack" or
// "fork".
func ChildPath(sys *SysProcAttr) string {
	return decide(&ProcAttr{Sys: sys}, sys).path.String()
}

// OwnStackAvailable reports whether this architecture and kernel have the
// own-stack path.
func OwnStackAvailable() bool { return canCloneOnOwnStack && clone3Available() }

// SetForceReportPipe makes children report failure through the error pipe
// even when they share the parent's memory, as where an emulator runs
// vfork as a plain fork.
func SetForceReportPipe(on bool) { forceReportPipe = on }

// SetForceParentDies makes the parent process kill itself on the own-stack
// path, after the clone and before writing the child's maps: what a crash
// there would do.
func SetForceParentDies(on bool) { forceParentDies = on }
