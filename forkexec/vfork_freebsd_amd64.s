#include "textflag.h"

// func rawVforkSyscall(trap, a1, a2, a3 uintptr) (r1 uintptr, err syscall.Errno)
//
// CALL left the return address on the stack, the one stack the vfork child
// goes on using while the parent sleeps. So it is popped into R12 before the
// system call and pushed back after it: the parent resumes with its own
// registers, and R12 is callee-saved in the C ABI, which FreeBSD's system
// call return paths preserve (libc's system call wrappers rely on it). The
// child's writes to the stack cannot reach it.
//
// FreeBSD signals failure with the carry flag, the errno in AX.
TEXT ·rawVforkSyscall(SB),NOSPLIT|NOFRAME,$0-48
	MOVQ	a1+8(FP), DI
	MOVQ	a2+16(FP), SI
	MOVQ	a3+24(FP), DX
	MOVQ	trap+0(FP), AX
	POPQ	R12
	SYSCALL
	PUSHQ	R12
	JCC	ok
	MOVQ	$-1, r1+32(FP)
	MOVQ	AX, err+40(FP)
	RET
ok:
	MOVQ	AX, r1+32(FP)
	MOVQ	$0, err+40(FP)
	RET
