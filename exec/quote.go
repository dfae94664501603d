package exec

import (
	"os"
	"strings"
)

// String describes the command for logs, in a form that can be pasted into
// a POSIX shell: the environment changes first (NAME=value for each
// variable Env adds or changes; "env -i" and all of Env when Env also drops
// variables of this process, or names one the shell cannot assign), then
// the path and arguments, each quoted where the shell would otherwise
// interpret it. With no Env and plain arguments it is what os/exec's String
// gives: the path and the arguments separated by spaces. If Command's
// lookup failed, it shows Args as given.
func (c *Cmd) String() string {
	var b strings.Builder
	c.writeEnvChanges(&b)
	if c.Err != nil || len(c.Args) == 0 {
		writeWords(&b, c.Args)
		if len(c.Args) == 0 {
			b.WriteString(shellQuote(c.Path))
		}
		return strings.TrimSuffix(b.String(), " ")
	}
	b.WriteString(shellQuote(c.Path))
	for _, a := range c.Args[1:] {
		b.WriteByte(' ')
		b.WriteString(shellQuote(a))
	}
	return b.String()
}

func writeWords(b *strings.Builder, words []string) {
	for _, w := range words {
		b.WriteString(shellQuote(w))
		b.WriteByte(' ')
	}
}

// writeEnvChanges writes how the child's environment differs from this
// process's, followed by a space, or nothing when Env is nil.
func (c *Cmd) writeEnvChanges(b *strings.Builder) {
	if c.Env == nil {
		return
	}
	env, _ := dedupEnv(c.Env)
	inChild := make(map[string]bool, len(env))
	replace := false
	for _, kv := range env {
		k, ok := envKey(kv)
		if !ok || !isShellName(k) {
			replace = true
		}
		inChild[k] = true
	}
	ours := os.Environ()
	mine := make(map[string]string, len(ours))
	for _, kv := range ours {
		if k, ok := envKey(kv); ok {
			mine[k] = kv
			if !inChild[k] {
				replace = true
			}
		}
	}
	if replace {
		b.WriteString("env -i ")
		writeWords(b, env)
		return
	}
	for _, kv := range env {
		if k, _ := envKey(kv); mine[k] != kv {
			b.WriteString(k)
			b.WriteByte('=')
			b.WriteString(shellQuote(kv[len(k)+1:]))
			b.WriteByte(' ')
		}
	}
}

// isShellName reports whether the shell can assign k: letters, digits
// and underscores, not starting with a digit.
func isShellName(k string) bool {
	for i, r := range k {
		if !(r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || i > 0 && '0' <= r && r <= '9') {
			return false
		}
	}
	return k != ""
}

// shellQuote returns s as one shell word with the same value: as it is
// if it holds only characters no shell treats specially, otherwise in
// single quotes, where each single quote of s closes the quoting, is
// written escaped, and reopens it.
func shellQuote(s string) string {
	plain := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_-+=.,/:@%", r)) {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
