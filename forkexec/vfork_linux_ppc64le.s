#include "textflag.h"

// func rawVforkSyscall(trap, a1, a2, a3 uintptr) (r1 uintptr, err syscall.Errno)
//
// NOFRAME: the return address stays in LR, restored by the kernel for the
// parent, never spilled to the stack the vfork child reuses. The kernel
// reports failure in the summary-overflow bit with a positive errno in R3.
TEXT ·rawVforkSyscall(SB),NOSPLIT|NOFRAME,$0-48
	MOVD	a1+8(FP), R3
	MOVD	a2+16(FP), R4
	MOVD	a3+24(FP), R5
	MOVD	R0, R6
	MOVD	R0, R7
	MOVD	R0, R8
	MOVD	trap+0(FP), R9
	SYSCALL	R9
	BVC	ok
	MOVD	$-1, R4
	MOVD	R4, r1+32(FP)
	MOVD	R3, err+40(FP)
	RET
ok:
	MOVD	R3, r1+32(FP)
	MOVD	R0, err+40(FP)
	RET
