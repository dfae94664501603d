#include "textflag.h"

// func rawVforkSyscall(trap, a1, a2, a3 uintptr) (r1 uintptr, err syscall.Errno)
//
// NOFRAME: the return address stays in RA, which the kernel restores for
// the parent, and is never spilled to the stack the vfork child goes on
// using. FreeBSD takes the system call number in T0 and signals failure by
// leaving T0 non-zero, the errno in A0.
TEXT ·rawVforkSyscall(SB),NOSPLIT|NOFRAME,$0-48
	MOV	a1+8(FP), A0
	MOV	a2+16(FP), A1
	MOV	a3+24(FP), A2
	MOV	trap+0(FP), T0
	ECALL
	BNE	T0, ZERO, fail
	MOV	A0, r1+32(FP)
	MOV	ZERO, err+40(FP)
	RET
fail:
	MOV	$-1, T1
	MOV	T1, r1+32(FP)
	MOV	A0, err+40(FP)
	RET
