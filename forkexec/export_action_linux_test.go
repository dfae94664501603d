//go:build linux

package forkexec

// Test hooks of Actions and ParentHook for the external test package.

// SetForceHookFork makes a spawn with a ParentHook take the fork path, as
// on architectures without the own-stack clone.
func SetForceHookFork(on bool) { forceHookFork = on }
