package suite

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// cell is a result's short table label.
func cell(r Result) string {
	switch r.Status {
	case Same:
		return "same"
	case Differs:
		return "DIFFERS"
	case Known:
		return "known"
	case NotRun:
		return "-"
	case NotApplicable:
		return "n/a"
	case Pass:
		return "ok"
	case Fail:
		return "FAIL"
	case Error:
		return "ERROR"
	}
	return "?"
}

// detail is the explanation printed under the table for a result that is
// not plainly same/ok.
func detail(r Result) string {
	switch r.Status {
	case NotRun:
		return "not run: " + r.Reason
	case NotApplicable:
		return "not applicable: " + r.Reason
	case Fail, Error:
		return string(r.Status) + ": " + r.Reason
	case Same, Pass:
		if r.Reason != "" {
			return string(r.Status) + " (" + r.Reason + ")"
		}
	case Differs, Known:
		var b strings.Builder
		b.WriteString(string(r.Status) + ":")
		for i, d := range r.Diffs {
			if i == 8 {
				fmt.Fprintf(&b, " ... and %d more fields", len(r.Diffs)-i)
				break
			}
			fmt.Fprintf(&b, "\n      %s: syscall=%s impl=%s", d.Field, clip(d.Ref), clip(d.Impl))
			if d.Known != "" {
				b.WriteString("  [known: " + d.Known + "]")
			}
		}
		return b.String()
	}
	return ""
}

func clip(s string) string {
	if len(s) > 70 {
		return s[:67] + "..."
	}
	return s
}

// Table writes the human-readable table: one row per scenario, one column
// per arch, then the details of every cell that is not same/ok, then a
// summary line.
func Table(w io.Writer, o *Outcome) {
	order, byScen := o.grid()
	nameW := len("scenario")
	for _, n := range order {
		if len(n) > nameW {
			nameW = len(n)
		}
	}
	colW := make([]int, len(o.Arches))
	for i, a := range o.Arches {
		colW[i] = max(len(a), 7)
	}
	fmt.Fprintf(w, "fork/exec conformance: syscall.ForkExec (reference) vs %s; probe built with %s\n", o.UnderTest, o.Probe)
	fmt.Fprintf(w, "%s\n\n", o.Env.Summary(o.Arches))
	fmt.Fprintf(w, "%-*s", nameW+2, "scenario")
	for i, a := range o.Arches {
		fmt.Fprintf(w, "%-*s", colW[i]+1, a)
	}
	fmt.Fprintln(w)
	group := ""
	counts := map[Status]int{}
	for _, n := range order {
		row := byScen[n]
		var g string
		for _, r := range row {
			g = r.Group
		}
		if g != group {
			group = g
			fmt.Fprintf(w, "[%s]\n", g)
		}
		fmt.Fprintf(w, "%-*s", nameW+2, n)
		for i, a := range o.Arches {
			r := row[a]
			counts[r.Status]++
			fmt.Fprintf(w, "%-*s", colW[i]+1, cell(r))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "\nlegend: same = identical after masking per-process values; known = differs only in a documented way;")
	fmt.Fprintln(w, "ok/FAIL = meets/misses its documented expectation; - = not run (reason below); n/a = the implementation lacks")
	fmt.Fprintln(w, "the feature the scenario needs; DIFFERS/FAIL/ERROR fail the run")
	// Details, with arches sharing the same text merged; an arch whose
	// every cell has the same explanation is explained once.
	first := true
	whole := o.wholeColumns(order, byScen)
	for _, a := range o.Arches {
		if d, ok := whole[a]; ok {
			if first {
				fmt.Fprintln(w, "\ndetails:")
				first = false
			}
			fmt.Fprintf(w, "  every scenario [%s]: %s\n", a, d)
		}
	}
	for _, n := range order {
		row := byScen[n]
		texts := map[string][]string{}
		var keys []string
		for _, a := range o.Arches {
			if _, ok := whole[a]; ok {
				continue
			}
			d := detail(row[a])
			if d == "" {
				continue
			}
			if texts[d] == nil {
				keys = append(keys, d)
			}
			texts[d] = append(texts[d], a)
		}
		if len(keys) == 0 {
			continue
		}
		if first {
			fmt.Fprintln(w, "\ndetails:")
			first = false
		}
		sort.SliceStable(keys, func(i, j int) bool { return len(texts[keys[i]]) > len(texts[keys[j]]) })
		for _, d := range keys {
			arches := strings.Join(texts[d], ",")
			if len(texts[d]) == len(o.Arches) && len(o.Arches) > 1 {
				arches = "all"
			}
			fmt.Fprintf(w, "  %s [%s]: %s\n", n, arches, d)
		}
	}
	fmt.Fprintf(w, "\n%s\n", o.Summary())
	passed := counts[Same] + counts[Known] + counts[Pass]
	failed := counts[Differs] + counts[Fail] + counts[Error]
	fmt.Fprintf(w, "conformance: %d passed, %d failed, %d skipped\n", passed, failed, counts[NotRun]+counts[NotApplicable])
}

// Counts counts the results by status.
func (o *Outcome) Counts() map[Status]int {
	c := map[Status]int{}
	for _, r := range o.Results {
		c[r.Status]++
	}
	return c
}

// Summary is the table's summary line: the count of each status.
func (o *Outcome) Summary() string {
	c := o.Counts()
	return fmt.Sprintf("same %d, known %d, ok %d, not run %d, n/a %d, DIFFERS %d, FAIL %d, ERROR %d",
		c[Same], c[Known], c[Pass], c[NotRun], c[NotApplicable], c[Differs], c[Fail], c[Error])
}

// Summary describes the environment in one line: kernel, C library, Go
// and the qemu-user version of the emulated arches among arches.
func (e Environment) Summary(arches []string) string {
	s := fmt.Sprintf("kernel %s, %s, %s", e.Kernel, e.Libc, e.Go)
	seen := map[string][]string{}
	var order []string
	for _, a := range arches {
		if v := e.Qemu[a]; v != "" {
			if i := strings.Index(v, "version "); i >= 0 {
				v = v[i+len("version "):]
			}
			if seen[v] == nil {
				order = append(order, v)
			}
			seen[v] = append(seen[v], a)
		}
	}
	for _, v := range order {
		s += fmt.Sprintf(", qemu-user %s (%s)", v, strings.Join(seen[v], ","))
	}
	if e.Date != "" {
		s += ", " + e.Date
	}
	return s
}

// wholeColumns maps each arch whose every cell (of two or more) has the
// same explanation, such as "not run: no FreeBSD host", to that
// explanation, which the table and the page then give once.
func (o *Outcome) wholeColumns(order []string, byScen map[string]map[string]Result) map[string]string {
	whole := map[string]string{}
	if len(order) < 2 {
		return whole
	}
	for _, a := range o.Arches {
		d0 := detail(byScen[order[0]][a])
		same := d0 != ""
		for _, n := range order[1:] {
			if detail(byScen[n][a]) != d0 {
				same = false
				break
			}
		}
		if same {
			whole[a] = d0
		}
	}
	return whole
}

// grid returns the scenario names in row order and each one's results by
// arch. Rows are grouped: a group's rows follow each other where the group
// first appears, in registration order within it (the error scenarios
// are registered next to the topics they belong to).
func (o *Outcome) grid() (order []string, byScen map[string]map[string]Result) {
	byScen = map[string]map[string]Result{}
	var groups []string
	members := map[string][]string{}
	for _, r := range o.Results {
		if byScen[r.Scenario] == nil {
			byScen[r.Scenario] = map[string]Result{}
			if members[r.Group] == nil {
				groups = append(groups, r.Group)
			}
			members[r.Group] = append(members[r.Group], r.Scenario)
		}
		byScen[r.Scenario][r.Arch] = r
	}
	for _, g := range groups {
		order = append(order, members[g]...)
	}
	return order, byScen
}
