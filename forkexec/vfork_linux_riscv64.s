#include "textflag.h"

// func rawVforkSyscall(trap, a1, a2, a3 uintptr) (r1 uintptr, err syscall.Errno)
//
// NOFRAME: the return address stays in RA, restored by the kernel for the
// parent, never spilled to the stack the vfork child reuses.
TEXT ·rawVforkSyscall(SB),NOSPLIT|NOFRAME,$0-48
	MOV	a1+8(FP), A0
	MOV	a2+16(FP), A1
	MOV	a3+24(FP), A2
	MOV	ZERO, A3
	MOV	ZERO, A4
	MOV	ZERO, A5
	MOV	trap+0(FP), A7
	ECALL
	MOV	$-4096, T0
	BLTU	T0, A0, fail
	MOV	A0, r1+32(FP)
	MOV	ZERO, err+40(FP)
	RET
fail:
	MOV	$-1, T0
	MOV	T0, r1+32(FP)
	SUB	A0, ZERO, A0
	MOV	A0, err+40(FP)
	RET
