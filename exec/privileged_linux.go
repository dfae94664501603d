package exec

import (
	"os"
	"unsafe"
)

// privileged reports whether this program runs with privileges its caller
// may not have: set-user-ID, set-group-ID or file capabilities, which the
// kernel flags with AT_SECURE in the auxiliary vector.
func privileged() bool {
	if os.Getuid() != os.Geteuid() || os.Getgid() != os.Getegid() {
		return true
	}
	auxv, err := os.ReadFile("/proc/self/auxv")
	if err != nil {
		return true // cannot tell: assume the worst
	}
	const atSecure = 23
	word := int(unsafe.Sizeof(uintptr(0)))
	for i := 0; i+2*word <= len(auxv); i += 2 * word {
		key := *(*uintptr)(unsafe.Pointer(&auxv[i]))
		val := *(*uintptr)(unsafe.Pointer(&auxv[i+word]))
		if key == atSecure {
			return val != 0
		}
	}
	return false
}
