package vulnscan

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func loadFlask(t *testing.T) Results {
	t.Helper()
	data, err := os.ReadFile("testdata/flask.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseOSV(data)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestParseOSV(t *testing.T) {
	r := loadFlask(t)
	if r.OS != "debian:12" {
		t.Errorf("OS = %q, want debian:12", r.OS)
	}
	if len(r.Findings) != 2 {
		t.Fatalf("findings = %+v, want 2", r.Findings)
	}
	f := r.Findings[0] // highest first
	if f.ID != "GHSA-m2qf-hxjv-5gpq" || f.Package != "flask" || f.Version != "2.2.2" || f.Severity != SeverityHigh || f.Score != "7.5" {
		t.Errorf("flask finding = %+v", f)
	}
	if want := []string{"artifact:/usr/local/lib/python3.11/site-packages/flask-2.2.2.dist-info/METADATA", "artifact:/wheels/flask-2.2.2-py3-none-any.whl"}; !slices.Equal(f.Sources, want) {
		t.Errorf("sources = %v, want both copies in one finding: %v", f.Sources, want)
	}
	if !slices.Equal(f.Aliases, []string{"CVE-2023-30861"}) {
		t.Errorf("aliases = %v, want [CVE-2023-30861] (the ID itself left out)", f.Aliases)
	}
	if got := f.Remedy(); got != "upgrade flask to 2.3.2 or 2.2.5" {
		t.Errorf("remedy = %q", got)
	}
	z := r.Findings[1]
	if z.Severity != SeverityUnknown || z.Summary != "MiniZip in zlib through 1.3 has an integer overflow." || z.Remedy() != "no fixed version of zlib is known yet" {
		t.Errorf("zlib finding = %+v (remedy %q)", z, z.Remedy())
	}
	if _, err := ParseOSV([]byte("not json")); err == nil {
		t.Error("ParseOSV(garbage) passed")
	}
}

func TestSeverity(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Severity
		bad  bool
	}{
		{"low", SeverityLow, false},
		{"Medium", SeverityMedium, false},
		{" high ", SeverityHigh, false},
		{"CRITICAL", SeverityCritical, false},
		{"urgent", SeverityUnknown, true},
		{"", SeverityUnknown, true},
	} {
		got, err := ParseSeverity("--scan-fail-on", tc.in)
		if got != tc.want || (err != nil) != tc.bad {
			t.Errorf("ParseSeverity(%q) = %v, %v", tc.in, got, err)
		}
		if err != nil && !strings.Contains(err.Error(), "--scan-fail-on") {
			t.Errorf("error does not name the flag: %v", err)
		}
	}
	for score, want := range map[float64]Severity{0: SeverityUnknown, 0.1: SeverityLow, 3.9: SeverityLow, 4: SeverityMedium, 6.9: SeverityMedium, 7: SeverityHigh, 7.5: SeverityHigh, 8.9: SeverityHigh, 9: SeverityCritical, 10: SeverityCritical} {
		if got := SeverityOfScore(score); got != want {
			t.Errorf("SeverityOfScore(%v) = %v, want %v", score, got, want)
		}
	}
}

func day(s string) time.Time {
	d, err := time.Parse(DateLayout, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestJudge(t *testing.T) {
	fs := loadFlask(t).Findings
	allowFlask := Allow{ID: "CVE-2023-30861", Reason: "no caching proxy", Expires: day("2027-01-31")}
	for _, tc := range []struct {
		name       string
		policy     Policy
		blocking   []string
		summary    string
		errHas     string
		allowedIDs []string
	}{
		{"report only", Policy{}, nil, "2 findings (1 high, 1 unknown); report only", "", nil},
		{"high blocks flask", Policy{FailOn: SeverityHigh}, []string{"GHSA-m2qf-hxjv-5gpq"}, "fails at high: 1", "1 vulnerability at or above high: GHSA-m2qf-hxjv-5gpq (CVE-2023-30861) in flask 2.2.2, high 7.5: upgrade flask to 2.3.2 or 2.2.5", nil},
		{"critical passes", Policy{FailOn: SeverityCritical}, nil, "fails at critical: 0", "", nil},
		{"low blocks unrated too", Policy{FailOn: SeverityLow}, []string{"GHSA-m2qf-hxjv-5gpq", "DEBIAN-CVE-2023-45853"}, "fails at low: 2", "2 vulnerabilities", nil},
		{"allowed by alias, last day", Policy{FailOn: SeverityHigh, Allow: []Allow{allowFlask}, Now: day("2027-01-31").Add(23 * time.Hour)}, nil, "1 allowed; fails at high: 0", "", []string{"GHSA-m2qf-hxjv-5gpq"}},
		{"expired the day after", Policy{FailOn: SeverityHigh, Allow: []Allow{allowFlask}, Now: day("2027-02-01")}, []string{"GHSA-m2qf-hxjv-5gpq"}, "1 with an expired allow-list entry; fails at high: 1", "the allow-list entry for CVE-2023-30861 expired on 2027-01-31", nil},
		{"allow is case-insensitive", Policy{FailOn: SeverityHigh, Allow: []Allow{{ID: "ghsa-m2qf-hxjv-5gpq", Reason: "r", Expires: day("2030-01-01")}}, Now: day("2026-01-01")}, nil, "1 allowed", "", []string{"GHSA-m2qf-hxjv-5gpq"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := tc.policy.Judge(fs)
			var blocking, allowed []string
			for _, j := range v.Blocking() {
				blocking = append(blocking, j.ID)
			}
			for _, j := range v.Findings {
				if j.AllowedBy != nil {
					allowed = append(allowed, j.ID)
				}
			}
			if !slices.Equal(blocking, tc.blocking) || !slices.Equal(allowed, tc.allowedIDs) {
				t.Errorf("blocking %v allowed %v, want %v %v", blocking, allowed, tc.blocking, tc.allowedIDs)
			}
			if s := v.Summary(); !strings.Contains(s, tc.summary) {
				t.Errorf("summary %q lacks %q", s, tc.summary)
			}
			err := v.Err()
			if (err != nil) != (tc.errHas != "") || (err != nil && !strings.Contains(err.Error(), tc.errHas)) {
				t.Errorf("err = %v, want one with %q", err, tc.errHas)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("err is not one line: %q", err)
			}
		})
	}
	if got := (Policy{}).Judge(nil).Summary(); got != "no known vulnerabilities; report only" {
		t.Errorf("empty summary = %q", got)
	}
}

func TestGitLabReport(t *testing.T) {
	v := Policy{FailOn: SeverityHigh}.Judge(loadFlask(t).Findings)
	start := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	out, err := v.GitLab(Scanned{Scanner: Scanner{Name: "osv-scanner", Version: "2.6.0", Vendor: "Google"}, Image: "onepipe.local/flask:abc", OS: "debian:12", Start: start, End: start.Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	scan := doc["scan"].(map[string]any)
	// the fields schema 15.x requires
	for _, k := range []string{"analyzer", "scanner", "type", "start_time", "end_time", "status"} {
		if _, ok := scan[k]; !ok {
			t.Errorf("scan.%s missing", k)
		}
	}
	if scan["start_time"] != "2026-05-01T10:00:00" || scan["type"] != "container_scanning" || doc["version"] != GitLabSchemaVersion {
		t.Errorf("scan = %v, version %v", scan, doc["version"])
	}
	vulns := doc["vulnerabilities"].([]any)
	if len(vulns) != 2 {
		t.Fatalf("vulnerabilities = %v", vulns)
	}
	flask := vulns[0].(map[string]any)
	loc := flask["location"].(map[string]any)
	if flask["severity"] != "High" || loc["operating_system"] != "debian:12" || loc["image"] != "onepipe.local/flask:abc" {
		t.Errorf("flask = %v", flask)
	}
	if id := flask["id"].(string); len(id) != 36 || id[14] != '4' {
		t.Errorf("id %q is not a UUID", id)
	}
	ids := flask["identifiers"].([]any)
	if first := ids[0].(map[string]any); first["type"] != "ghsa" || first["value"] != "GHSA-m2qf-hxjv-5gpq" {
		t.Errorf("identifiers = %v", ids)
	}
	if vulns[1].(map[string]any)["severity"] != "Unknown" {
		t.Errorf("unrated finding severity = %v, want Unknown", vulns[1])
	}
	again, _ := v.GitLab(Scanned{Image: "onepipe.local/flask:abc", Start: start, End: start})
	var doc2 map[string]any
	json.Unmarshal(again, &doc2)
	if doc2["vulnerabilities"].([]any)[0].(map[string]any)["id"] != flask["id"] {
		t.Error("the finding's id changes between reports")
	}
}

func TestJUnitReport(t *testing.T) {
	fs := loadFlask(t).Findings
	for _, tc := range []struct {
		name                       string
		policy                     Policy
		tests, failures, skippedAt int
	}{
		{"blocking fails its testcase", Policy{FailOn: SeverityHigh}, 2, 1, 0},
		{"allowed is skipped", Policy{FailOn: SeverityHigh, Allow: []Allow{{ID: "GHSA-m2qf-hxjv-5gpq", Reason: "r", Expires: day("2030-01-01")}}, Now: day("2026-01-01")}, 2, 0, 1},
		{"report only passes", Policy{}, 2, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := tc.policy.Judge(fs).JUnit(Scanned{Image: "img"})
			if err != nil {
				t.Fatal(err)
			}
			var doc junitSuites
			if err := xml.Unmarshal(out, &doc); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			s := doc.Suites[0]
			if doc.Tests != tc.tests || doc.Failures != tc.failures || s.Skipped != tc.skippedAt {
				t.Errorf("tests %d failures %d skipped %d\n%s", doc.Tests, doc.Failures, s.Skipped, out)
			}
		})
	}
	out, _ := Policy{}.Judge(nil).JUnit(Scanned{Image: "img"})
	if !strings.Contains(string(out), `tests="1"`) || strings.Contains(string(out), "<failure") {
		t.Errorf("no findings: %s", out)
	}
}
