#include "go_asm.h"
#include "textflag.h"

// func rawClone3OnStack(args *cloneArgs, size uintptr, child *childArgs) (pid uintptr, err syscall.Errno)
//
// clone3 with args.stack set: the child starts on that stack, not on the
// parent's, so the parent may go on running while the child does. The
// parent returns the pid or the error like any system call. The child calls
// execChild(child) on its new stack and never returns, since there is no
// frame above it to return to; should execChild return, it exits.
//
// child travels to the new stack in R12: the kernel preserves every
// register across clone3 but RAX, RCX and R11, and the child has nothing
// else of the parent's frame (its SP is the new stack's top).
TEXT ·rawClone3OnStack(SB),NOSPLIT,$0-40
	MOVQ	args+0(FP), DI
	MOVQ	size+8(FP), SI
	MOVQ	child+16(FP), R12
	MOVQ	$const_sysClone3, AX
	SYSCALL
	TESTQ	AX, AX
	JEQ	child
	CMPQ	AX, $0xfffffffffffff001
	JLS	ok
	MOVQ	$-1, pid+24(FP)
	NEGQ	AX
	MOVQ	AX, err+32(FP)
	RET
ok:
	MOVQ	AX, pid+24(FP)
	MOVQ	$0, err+32(FP)
	RET

child:
	// The child, on its own stack: room for execChild's argument, kept
	// 16-byte aligned, then the call, which goes through the ABI0 wrapper
	// the compiler makes for it (nosplit; it loads g from thread-local
	// storage, the parent thread's, which the child only reads).
	SUBQ	$16, SP
	MOVQ	R12, 0(SP)
	CALL	·execChild(SB)
	MOVQ	$const_exitChildFailed, DI
	MOVQ	$const_sysExit, AX
	SYSCALL
	JMP	child
