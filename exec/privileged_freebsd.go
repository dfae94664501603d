package exec

import "golang.org/x/sys/unix"

// privileged reports whether this program runs with privileges its caller
// may not have (set-user-ID or set-group-ID), as issetugid(2) tells.
func privileged() bool { return unix.Issetugid() }
