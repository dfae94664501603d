#include "textflag.h"

// func rawVforkSyscall(trap, a1, a2, a3 uintptr) (r1 uintptr, err syscall.Errno)
//
// NOFRAME: the return address stays in the link register, which the kernel
// restores for the parent, and is never spilled to the stack the vfork child
// goes on using. FreeBSD takes the system call number in R7 and signals
// failure with the carry flag, the errno in R0.
TEXT ·rawVforkSyscall(SB),NOSPLIT|NOFRAME,$0-24
	MOVW	trap+0(FP), R7
	MOVW	a1+4(FP), R0
	MOVW	a2+8(FP), R1
	MOVW	a3+12(FP), R2
	SWI	$0
	BCS	fail
	MOVW	R0, r1+16(FP)
	MOVW	$0, R0
	MOVW	R0, err+20(FP)
	RET
fail:
	MOVW	$-1, R1
	MOVW	R1, r1+16(FP)
	MOVW	R0, err+20(FP)
	RET
