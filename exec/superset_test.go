package exec

import (
	stdexec "os/exec"
	"reflect"
	"testing"
)

// Every exported field and method of os/exec's Cmd is here with the same
// name and type (SysProcAttr's type aside: it is forkexec's), so that a
// program compiles after changing its import.
func TestSupersetOfOSExec(t *testing.T) {
	ours, theirs := reflect.TypeFor[Cmd](), reflect.TypeFor[stdexec.Cmd]()
	for f := range theirs.Fields() {
		if !f.IsExported() {
			continue
		}
		g, ok := ours.FieldByName(f.Name)
		switch {
		case !ok:
			t.Errorf("field %s missing", f.Name)
		case f.Name != "SysProcAttr" && g.Type != f.Type:
			t.Errorf("field %s: %v, os/exec has %v", f.Name, g.Type, f.Type)
		}
	}
	ourPtr, theirPtr := reflect.PointerTo(ours), reflect.PointerTo(theirs)
	for m := range theirPtr.Methods() {
		g, ok := ourPtr.MethodByName(m.Name)
		if !ok {
			t.Errorf("method %s missing", m.Name)
			continue
		}
		// Compare the signatures without the receiver.
		if !sameSignature(g.Type, m.Type) {
			t.Errorf("method %s: %v, os/exec has %v", m.Name, g.Type, m.Type)
		}
	}
	// The package-level functions, by assignment: a mismatch fails to
	// compile.
	var (
		_ func(string, ...string) *Cmd = Command
		_ func(string) (string, error) = LookPath
		_ error                        = ErrDot
		_ error                        = ErrNotFound
		_ error                        = ErrWaitDelay
		_ *stdexec.ExitError           = (*ExitError)(nil)
		_ *stdexec.Error               = (*Error)(nil)
	)
}

func sameSignature(a, b reflect.Type) bool {
	if a.NumIn() != b.NumIn() || a.NumOut() != b.NumOut() || a.IsVariadic() != b.IsVariadic() {
		return false
	}
	for i := 1; i < a.NumIn(); i++ {
		if a.In(i) != b.In(i) {
			return false
		}
	}
	for i := range a.NumOut() {
		if a.Out(i) != b.Out(i) {
			return false
		}
	}
	return true
}
