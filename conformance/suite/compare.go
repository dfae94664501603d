package suite

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// ReadOutcome reads an Outcome recorded as JSON (the command's -json), in
// [RecordFormat] or an earlier format; a later format is an error.
func ReadOutcome(path string) (*Outcome, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var o Outcome
	if err := json.Unmarshal(data, &o); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(o.Results) == 0 {
		return nil, fmt.Errorf("%s: no results (not a record of a run?)", path)
	}
	return &o, nil
}

// FieldChange is one field of the implementation under test's outcome
// that changed between two runs.
type FieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// Change is what changed for one scenario on one arch between two runs.
type Change struct {
	Scenario string `json:"scenario"`
	Arch     string `json:"arch"`
	// OldStatus is empty when the old run did not have the scenario on
	// this arch.
	OldStatus Status `json:"old_status,omitempty"`
	NewStatus Status `json:"new_status"`
	// OldReason and NewReason are set when the status changed.
	OldReason string        `json:"old_reason,omitempty"`
	NewReason string        `json:"new_reason,omitempty"`
	Fields    []FieldChange `json:"fields,omitempty"`
}

// Compare lists what changed from old to cur, scenario by scenario and
// field by field, for the scenarios and arches of cur. Fields are compared
// where both runs have an outcome (a scenario not run in one of them
// changes only its status).
func Compare(old, cur *Outcome) []Change {
	type key struct{ s, a string }
	before := map[key]Result{}
	for _, r := range old.Results {
		before[key{r.Scenario, r.Arch}] = r
	}
	var out []Change
	for _, r := range cur.Results {
		o, ok := before[key{r.Scenario, r.Arch}]
		c := Change{Scenario: r.Scenario, Arch: r.Arch, OldStatus: o.Status, NewStatus: r.Status}
		if !ok {
			c.OldStatus = ""
			out = append(out, c)
			continue
		}
		if o.Status != r.Status {
			c.OldReason, c.NewReason = o.Reason, r.Reason
		}
		if o.Fields != nil && r.Fields != nil {
			c.Fields = diffFields(o.Fields, r.Fields)
		}
		if c.OldStatus != c.NewStatus || len(c.Fields) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// WriteChanges writes what changed from old to cur: the two environments,
// every change of verdict, then every changed field with the scenarios it
// changed in (a change common to every scenario of an arch, such as a new
// hostname, is written once).
func WriteChanges(w io.Writer, old, cur *Outcome) {
	changes := Compare(old, cur)
	fmt.Fprintf(w, "\nchanges against the recorded run (%s)\n", old.Env.Summary(old.Arches))
	fmt.Fprintf(w, "                      this run: %s\n", cur.Env.Summary(cur.Arches))
	if old.UnderTest != cur.UnderTest {
		fmt.Fprintf(w, "  implementation under test: %s, was %s\n", cur.UnderTest, old.UnderTest)
	}
	if len(changes) == 0 {
		fmt.Fprintf(w, "no change in %d results\n", len(cur.Results))
		return
	}
	verdicts := 0
	for _, c := range changes {
		if c.OldStatus == c.NewStatus {
			continue
		}
		if verdicts == 0 {
			fmt.Fprintln(w, "verdicts:")
		}
		verdicts++
		was := string(c.OldStatus)
		if was == "" {
			was = "(not in the recorded run)"
		}
		fmt.Fprintf(w, "  %s [%s]: %s -> %s", c.Scenario, c.Arch, was, c.NewStatus)
		if c.NewReason != "" {
			fmt.Fprintf(w, " (%s)", clip(c.NewReason))
		}
		fmt.Fprintln(w)
	}
	// Group field changes by arch, field, old and new value.
	type fkey struct{ arch, field, old, new string }
	in := map[fkey][]string{}
	var keys []fkey
	perArch := map[string]int{}
	for _, r := range cur.Results {
		if r.Fields != nil {
			perArch[r.Arch]++
		}
	}
	for _, c := range changes {
		for _, f := range c.Fields {
			k := fkey{c.Arch, f.Field, f.Old, f.New}
			if in[k] == nil {
				keys = append(keys, k)
			}
			in[k] = append(in[k], c.Scenario)
		}
	}
	sort.SliceStable(keys, func(i, j int) bool {
		if keys[i].field != keys[j].field {
			return keys[i].field < keys[j].field
		}
		return keys[i].arch < keys[j].arch
	})
	if len(keys) > 0 {
		fmt.Fprintln(w, "fields of the implementation under test's outcome:")
	}
	for _, k := range keys {
		scen := in[k]
		where := strings.Join(scen, ", ")
		switch {
		case len(scen) == perArch[k.arch] && len(scen) > 1:
			where = fmt.Sprintf("every scenario with an outcome (%d)", len(scen))
		case len(scen) > 6:
			where = fmt.Sprintf("%s and %d more", strings.Join(scen[:6], ", "), len(scen)-6)
		}
		fmt.Fprintf(w, "  %s [%s]: %s -> %s in %s\n", k.field, k.arch, clip(k.old), clip(k.new), where)
	}
	fmt.Fprintf(w, "%d of %d results changed (%d verdicts)\n", len(changes), len(cur.Results), verdicts)
}
