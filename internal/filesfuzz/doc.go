// Package filesfuzz holds only a fuzz target: forkexec's FuzzFiles for
// `go test -fuzz`, which cannot build package forkexec itself (see
// forkexec's TestHelperFilesServer).
package filesfuzz
