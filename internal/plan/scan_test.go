package plan

import (
	"strings"
	"testing"
	"time"

	"github.com/onepipe/onepipe/internal/vulnscan"
)

func TestResolveScan(t *testing.T) {
	db := t.TempDir()
	sha := Ref{SHA: strings.Repeat("b", 40)}
	for _, tc := range []struct {
		name  string
		in    Inputs
		plan  []string // in onepipe plan's output
		noRow bool
		err   string
	}{
		{"no scan by default", Inputs{Ref: sha}, nil, true, ""},
		{"--scan reports only", Inputs{Ref: sha, Scan: Scan{On: true}}, []string{"stages:      test, lint, pack linux/amd64, scan", "osv-scanner v2.6.0 on onepipe.local/flask:bbbbbbbb", "report only", "the live OSV database"}, false, ""},
		{"--scan-fail-on high", Inputs{Ref: sha, Scan: Scan{FailOn: "HIGH"}}, []string{"fails at high and above (--scan-fail-on)"}, false, ""},
		{"--scan-database", Inputs{Ref: sha, Scan: Scan{Database: db}}, []string{"the OSV database in " + db}, false, ""},
		{"published image named", Inputs{Ref: sha, Scan: Scan{On: true}, Publish: &Publish{Repository: "127.0.0.1:5000/flask"}}, []string{"on 127.0.0.1:5000/flask:bbbbbbbb", "scan, publish"}, false, ""},
		{"bad threshold", Inputs{Ref: sha, Scan: Scan{FailOn: "severe"}}, nil, false, `--scan-fail-on "severe": use low, medium, high, critical`},
		{"missing database", Inputs{Ref: sha, Scan: Scan{Database: db + "/nope"}}, nil, false, "--scan-database " + db + "/nope: no such folder"},
		{"no image to scan", Inputs{Ref: sha, Only: []string{"test"}, Scan: Scan{On: true}}, nil, false, "--scan needs the image: drop --only or include pack"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app, err := Load(Source{Dir: example(t, "flask")}, "")
			if err != nil {
				t.Fatal(err)
			}
			p, err := Resolve(app, tc.in, env(nil))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			p.Print(&b)
			if tc.noRow != (p.Scan == nil) || tc.noRow == strings.Contains(b.String(), "scan:") {
				t.Errorf("scan plan %+v; printed:\n%s", p.Scan, b.String())
			}
			for _, w := range tc.plan {
				if !strings.Contains(b.String(), w) {
					t.Errorf("plan lacks %q:\n%s", w, b.String())
				}
			}
		})
	}
}

// TestScanFromOnepipeYAML: a scan: section turns the scan on for runs that
// build the image (not for a test-only run), its allow-list is printed
// with the entries that expired, and the module's view (files, no host
// folder) keeps the database in the source.
func TestScanFromOnepipeYAML(t *testing.T) {
	files := mapFS(t, example(t, "flask"))
	files["onepipe.yaml"].Data = append(files["onepipe.yaml"].Data, []byte("scan:\n  failOn: critical\n  database: osv-db\n  allow:\n    - id: CVE-2023-30861\n      reason: no caching proxy\n      expires: 2024-01-31\n")...)
	app, err := Load(Source{FS: files, Name: "flask"}, "")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Resolve(app, Inputs{}, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if p.Scan == nil || p.Scan.FailOn != vulnscan.SeverityCritical || p.Scan.SourceDatabase != "osv-db" || len(p.Scan.Allow) != 1 {
		t.Fatalf("scan plan = %+v", p.Scan)
	}
	p.Scan.Now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if line := p.Scan.Line(); !strings.Contains(line, "fails at critical and above (scan.failOn in onepipe.yaml)") || !strings.Contains(line, "CVE-2023-30861 EXPIRED 2024-01-31") || !strings.Contains(line, "osv-db (scan.database)") {
		t.Errorf("line = %q", line)
	}
	if p, err := Resolve(app, Inputs{Only: []string{"test"}}, env(nil)); err != nil || p.Scan != nil {
		t.Errorf("test-only run: scan %+v, err %v; want no scan and no error", p.Scan, err)
	}
}
