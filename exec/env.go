package exec

import (
	"os"
	"path/filepath"
	"strings"
)

// Environ returns a copy of the environment the command would run with as
// it is now set up: Env deduplicated (the last value of a key wins), or,
// for a nil Env, this process's environment with PWD set to Dir.
func (c *Cmd) Environ() []string {
	env, _ := c.environ()
	return append([]string(nil), env...)
}

// environ is Environ with the first problem met: a NUL byte in an entry
// (that entry is dropped) or a Dir whose absolute path is unknown.
func (c *Cmd) environ() ([]string, error) {
	var err error
	env := c.Env
	if env == nil {
		env = os.Environ()
		if c.Dir != "" {
			// POSIX says PWD holds the absolute working directory; Dir
			// changes it. Only an inherited environment is corrected, so
			// that an explicit Env is passed as given.
			if abs, absErr := filepath.Abs(c.Dir); absErr == nil {
				env = append(env, "PWD="+abs)
			} else {
				err = absErr
			}
		}
	}
	env, dedupErr := dedupEnv(env)
	if err == nil {
		err = dedupErr
	}
	return env, err
}

// dedupEnv drops all but the last entry of each key, keeping the order of
// the entries kept, and drops entries holding NUL (reporting errNUL). An
// entry without "=" is kept as it is (an empty one is dropped). A leading
// "=" is part of the key, as in Windows' "=C:=C:\" entries. An env with
// nothing to drop is returned as it is, not copied.
func dedupEnv(env []string) ([]string, error) {
	if envIsClean(env) {
		return env, nil
	}
	var err error
	last := make(map[string]int, len(env))
	for i, kv := range env {
		if strings.IndexByte(kv, 0) >= 0 {
			err = errNUL
			continue
		}
		if k, ok := envKey(kv); ok {
			last[k] = i
		}
	}
	out := make([]string, 0, len(last))
	for i, kv := range env {
		if kv == "" || strings.IndexByte(kv, 0) >= 0 {
			continue
		}
		if k, ok := envKey(kv); ok && last[k] != i {
			continue
		}
		out = append(out, kv)
	}
	return out, err
}

// envIsClean reports, without allocating, that env has no duplicate key,
// no NUL and no empty entry; it gives up (false) on long environments,
// where comparing every pair costs more than dedupEnv's map.
func envIsClean(env []string) bool {
	if len(env) > 100 {
		return false
	}
	for i, kv := range env {
		if kv == "" || strings.IndexByte(kv, 0) >= 0 {
			return false
		}
		k, ok := envKey(kv)
		if !ok {
			continue
		}
		for _, earlier := range env[:i] {
			if len(earlier) > len(k) && earlier[len(k)] == '=' && earlier[:len(k)] == k {
				return false
			}
		}
	}
	return true
}

// envKey returns the key of a "key=value" entry.
func envKey(kv string) (string, bool) {
	i := strings.IndexByte(kv[min(1, len(kv)):], '=')
	if i < 0 {
		return "", false
	}
	return kv[:i+min(1, len(kv))], true
}

// EnvPass returns "name=value" for each of names set in this process's
// environment, in the order given, for building a clean Env (libvirt's
// virCommandAddEnvPass). Names not set are left out.
func EnvPass(names ...string) []string {
	env := make([]string, 0, len(names))
	for _, name := range names {
		if v, ok := os.LookupEnv(name); ok {
			env = append(env, name+"="+v)
		}
	}
	return env
}

// commonEnvNames are the variables EnvCommon passes, besides LC_*.
var commonEnvNames = []string{"PATH", "HOME", "USER", "LOGNAME", "LANG", "TMPDIR"}

// EnvCommon returns the variables of this process's environment that most
// programs need and that are safe to pass on: PATH, HOME, USER, LOGNAME,
// LANG, every LC_* and TMPDIR, those of them that are set (libvirt's
// virCommandAddEnvPassCommon). Start from it and add what the command
// needs:
//
//	cmd.Env = append(exec.EnvCommon(), "CONFIG=/etc/app.conf")
func EnvCommon() []string {
	env := EnvPass(commonEnvNames...)
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "LC_") {
			env = append(env, kv)
		}
	}
	return env
}
