#include "textflag.h"

// func rawVforkSyscall(trap, a1, a2, a3 uintptr) (r1 uintptr, err syscall.Errno)
//
// A leaf without a frame: the return address stays in the link register,
// which the kernel restores for the parent, and is never stored in the stack
// the vfork child goes on using. FreeBSD takes the system call number in R8
// and signals failure with the carry flag, the errno in R0.
TEXT ·rawVforkSyscall(SB),NOSPLIT|NOFRAME,$0-48
	MOVD	a1+8(FP), R0
	MOVD	a2+16(FP), R1
	MOVD	a3+24(FP), R2
	MOVD	trap+0(FP), R8
	SVC	$0
	BCS	fail
	MOVD	R0, r1+32(FP)
	MOVD	ZR, err+40(FP)
	RET
fail:
	MOVD	$-1, R1
	MOVD	R1, r1+32(FP)
	MOVD	R0, err+40(FP)
	RET
