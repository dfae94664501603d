#include "textflag.h"

// func rawVforkSyscall(trap, a1, a2, a3 uintptr) (r1 uintptr, err syscall.Errno)
//
// NOFRAME: the return address stays in R31, restored by the kernel for the
// parent, never spilled to the stack the vfork child reuses. The kernel
// flags failure in R7 with a positive errno in R2.
TEXT ·rawVforkSyscall(SB),NOSPLIT|NOFRAME,$0-48
	MOVV	a1+8(FP), R4
	MOVV	a2+16(FP), R5
	MOVV	a3+24(FP), R6
	MOVV	R0, R7
	MOVV	R0, R8
	MOVV	R0, R9
	MOVV	trap+0(FP), R2
	SYSCALL
	BEQ	R7, ok
	MOVV	$-1, R1
	MOVV	R1, r1+32(FP)
	MOVV	R2, err+40(FP)
	RET
ok:
	MOVV	R2, r1+32(FP)
	MOVV	R0, err+40(FP)
	RET
