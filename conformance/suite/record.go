package suite

import (
	"encoding/json"
	"fmt"
	"sort"
)

// RecordFormat is the version of the JSON an [Outcome] is written as (the
// command's -json). Format 1, written before the version was recorded,
// had no "format" key and every result's fields in full; it is still
// read. A record of a later format is refused.
//
// Format 2 is Outcome's fields (arches, probe, under_test, env) and:
//
//	"format": 2,
//	"results": [{"scenario", "group", "arch", "status", "reason", "diffs",
//	             "fields", "shared", "unset"}, ...],
//	"shared_fields": {"<scenario>": {"<field>": "<value>", ...}, ...}
//
// A scenario's outcome is mostly the same on every arch, so the values a
// majority of its columns share are written once, in shared_fields. A
// result with "shared": true has those fields, except the ones listed in
// "unset", and its own "fields" on top (values that differ, fields of its
// own). A result without it has exactly its "fields"; none when it has no
// outcome (not run, not applicable, an error). Reading restores every
// result's Fields in full. A run of one column shares nothing, and its
// record has every result's fields in place.
const RecordFormat = 2

// resultRecord is a Result as recorded: Fields is shadowed by the fields
// of this result not in the scenario's shared fields.
type resultRecord struct {
	Result
	Fields Fields   `json:"fields,omitempty"`
	Shared bool     `json:"shared,omitempty"`
	Unset  []string `json:"unset,omitempty"`
}

// outcomeAlias is Outcome without its JSON methods.
type outcomeAlias Outcome

type outcomeRecord struct {
	Format int `json:"format"`
	*outcomeAlias
	Results      []resultRecord    `json:"results"`
	SharedFields map[string]Fields `json:"shared_fields,omitempty"`
}

// MarshalJSON writes the outcome in the current [RecordFormat]. (A value
// receiver, so that an Outcome is written so however it is passed.)
func (o Outcome) MarshalJSON() ([]byte, error) {
	rec := outcomeRecord{Format: RecordFormat, outcomeAlias: (*outcomeAlias)(&o)}
	rec.SharedFields = sharedFields(o.Results)
	rec.Results = make([]resultRecord, len(o.Results))
	for i, r := range o.Results {
		rr := resultRecord{Result: r, Fields: r.Fields}
		rr.Result.Fields = nil
		if shared := rec.SharedFields[r.Scenario]; r.Fields != nil && shared != nil {
			own := Fields{}
			for k, v := range r.Fields {
				if sv, ok := shared[k]; !ok || sv != v {
					own[k] = v
				}
			}
			var unset []string
			for k := range shared {
				if _, ok := r.Fields[k]; !ok {
					unset = append(unset, k)
				}
			}
			if len(own)+len(unset) < len(r.Fields) {
				sort.Strings(unset)
				rr.Fields, rr.Shared, rr.Unset = own, true, unset
			}
		}
		rec.Results[i] = rr
	}
	return json.Marshal(rec)
}

// sharedFields returns, per scenario with an outcome on two arches or
// more, the field values that more than half of those arches have.
func sharedFields(results []Result) map[string]Fields {
	type kv struct{ k, v string }
	counts := map[string]map[kv]int{}
	n := map[string]int{}
	for _, r := range results {
		if r.Fields == nil {
			continue
		}
		n[r.Scenario]++
		if counts[r.Scenario] == nil {
			counts[r.Scenario] = map[kv]int{}
		}
		for k, v := range r.Fields {
			counts[r.Scenario][kv{k, v}]++
		}
	}
	var out map[string]Fields
	for s, c := range counts {
		if n[s] < 2 {
			continue
		}
		f := Fields{}
		for e, m := range c {
			if 2*m > n[s] {
				f[e.k] = e.v
			}
		}
		if len(f) > 0 {
			if out == nil {
				out = map[string]Fields{}
			}
			out[s] = f
		}
	}
	return out
}

// UnmarshalJSON reads a record of [RecordFormat] or an earlier one.
func (o *Outcome) UnmarshalJSON(data []byte) error {
	*o = Outcome{}
	rec := outcomeRecord{outcomeAlias: (*outcomeAlias)(o)}
	if err := json.Unmarshal(data, &rec); err != nil {
		return err
	}
	if rec.Format > RecordFormat {
		return fmt.Errorf("record format %d, written by a later version of the suite (this one reads formats 1 to %d)", rec.Format, RecordFormat)
	}
	o.Results = make([]Result, len(rec.Results))
	for i, rr := range rec.Results {
		r := rr.Result
		r.Fields = rr.Fields
		if rr.Shared {
			shared, ok := rec.SharedFields[r.Scenario]
			if !ok {
				return fmt.Errorf("result %s [%s] refers to shared fields the record does not have", r.Scenario, r.Arch)
			}
			r.Fields = Fields{}
			for k, v := range shared {
				r.Fields[k] = v
			}
			for _, k := range rr.Unset {
				delete(r.Fields, k)
			}
			for k, v := range rr.Fields {
				r.Fields[k] = v
			}
		}
		o.Results[i] = r
	}
	return nil
}
