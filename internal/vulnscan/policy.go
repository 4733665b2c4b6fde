package vulnscan

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// DateLayout is how allow-list expiry dates are written: 2027-01-31.
const DateLayout = time.DateOnly

// Allow accepts one advisory (by its ID or any alias) until it expires.
type Allow struct {
	ID     string
	Reason string
	// Expires is the last day the entry allows the finding (UTC); from the
	// day after, the finding counts again and the report says the entry
	// expired.
	Expires time.Time
}

// expired says whether the entry no longer allows at now.
func (a Allow) expired(now time.Time) bool {
	return !now.UTC().Before(a.Expires.UTC().AddDate(0, 0, 1))
}

// Policy is what fails a scan: findings at or above FailOn that no live
// allow-list entry accepts. FailOn SeverityUnknown reports only.
type Policy struct {
	FailOn Severity
	Allow  []Allow
	// Now is when the scan runs (allow-list expiry).
	Now time.Time
}

// Judged is a finding and what the policy made of it.
type Judged struct {
	Finding
	// AllowedBy is the entry that accepts it (nil: none).
	AllowedBy *Allow
	// Expired is a matching entry that has expired (nil: none).
	Expired *Allow
	// Blocks is true when the finding fails the scan.
	Blocks bool
}

// Note says, for reports, why the finding does or does not fail the scan.
func (j Judged) Note() string {
	switch {
	case j.AllowedBy != nil:
		return fmt.Sprintf("allowed until %s: %s", j.AllowedBy.Expires.Format(DateLayout), j.AllowedBy.Reason)
	case j.Expired != nil && j.Blocks:
		return fmt.Sprintf("the allow-list entry for %s expired on %s (%s): renew it or fix the finding", j.Expired.ID, j.Expired.Expires.Format(DateLayout), j.Expired.Reason)
	case j.Expired != nil:
		return fmt.Sprintf("the allow-list entry for %s expired on %s", j.Expired.ID, j.Expired.Expires.Format(DateLayout))
	}
	return ""
}

// Verdict is a judged scan.
type Verdict struct {
	FailOn   Severity
	Findings []Judged
}

// Judge applies the threshold and the allow-list to the findings.
func (p Policy) Judge(fs []Finding) Verdict {
	v := Verdict{FailOn: p.FailOn, Findings: make([]Judged, len(fs))}
	for i, f := range fs {
		j := Judged{Finding: f}
		for _, a := range p.Allow {
			if !slices.ContainsFunc(f.Names(), func(n string) bool { return strings.EqualFold(n, a.ID) }) {
				continue
			}
			if a.expired(p.Now) {
				j.Expired = &a
				continue
			}
			j.AllowedBy = &a
			break
		}
		j.Blocks = j.AllowedBy == nil && p.FailOn != SeverityUnknown && atOrAbove(f.Severity, p.FailOn)
		v.Findings[i] = j
	}
	return v
}

// atOrAbove compares a finding's severity with the threshold. A finding
// without a rating (many Debian records have none) blocks only at low,
// which means "any finding".
func atOrAbove(s, threshold Severity) bool {
	if s == SeverityUnknown {
		return threshold == SeverityLow
	}
	return s >= threshold
}

// Blocking are the findings that fail the scan.
func (v Verdict) Blocking() []Judged {
	var out []Judged
	for _, j := range v.Findings {
		if j.Blocks {
			out = append(out, j)
		}
	}
	return out
}

// Summary is the stage's line: "2 findings (1 high, 1 medium), 1
// allowed; fails at high: none".
func (v Verdict) Summary() string {
	if len(v.Findings) == 0 {
		return "no known vulnerabilities" + v.thresholdNote()
	}
	counts := map[Severity]int{}
	allowed, expired := 0, 0
	for _, j := range v.Findings {
		counts[j.Severity]++
		if j.AllowedBy != nil {
			allowed++
		}
		if j.Expired != nil && j.AllowedBy == nil {
			expired++
		}
	}
	var parts []string
	for s := SeverityCritical; s >= SeverityUnknown; s-- {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	out := fmt.Sprintf("%s (%s)", plural(len(v.Findings), "finding"), strings.Join(parts, ", "))
	if allowed > 0 {
		out += fmt.Sprintf(", %d allowed", allowed)
	}
	if expired > 0 {
		out += fmt.Sprintf(", %d with an expired allow-list entry", expired)
	}
	return out + v.thresholdNote()
}

func (v Verdict) thresholdNote() string {
	if v.FailOn == SeverityUnknown {
		return "; report only"
	}
	return fmt.Sprintf("; fails at %s: %d", v.FailOn, len(v.Blocking()))
}

// Err is the scan's failure (nil when it passes): the findings that block,
// each with its remedy, and how to accept one.
func (v Verdict) Err() error {
	b := v.Blocking()
	if len(b) == 0 {
		return nil
	}
	whats := make([]string, len(b))
	for i, j := range b {
		whats[i] = j.What() + ": " + j.Remedy()
		if j.Expired != nil {
			whats[i] += " (" + j.Note() + ")"
		}
	}
	return fmt.Errorf("%s at or above %s: %s; or accept one in onepipe.yaml under scan.allow (id, reason, expires)",
		plural(len(b), "vulnerability"), v.FailOn, strings.Join(whats, "; "))
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	if strings.HasSuffix(what, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(what, "y"))
	}
	return fmt.Sprintf("%d %ss", n, what)
}
