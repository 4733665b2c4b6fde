package e2e

import (
	"archive/zip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The image vulnerability scan, end to end: osv-scanner (built from the Go
// module proxy) reads the image examples/flask packs, offline, against a
// small OSV database the test zips from testdata/osv (the real advisory
// GHSA-m2qf-hxjv-5gpq for Flask < 2.2.5; the image has Flask 2.2.2 from the
// wheelhouse).

const flaskAdvisory = "GHSA-m2qf-hxjv-5gpq"

// TestScanFailsAtHighThenPassesAllowListed: --scan-fail-on high fails the
// run on the planted advisory (CVSS 7.5, high) and writes the four reports;
// the same advisory allow-listed with a reason and a future expiry passes;
// an expired entry fails again and says so; onepipe plan shows the stage
// and its threshold.
func TestScanFailsAtHighThenPassesAllowListed(t *testing.T) {
	needEngine(t)
	app := copyApp(t, "flask")
	db := osvDatabase(t)
	scan := func(extra ...string) (result, string) {
		t.Helper()
		out := t.TempDir()
		args := append([]string{"run", "--source", app, "--only", "pack", "--scan-database", db, "--out", out}, extra...)
		return onepipe(t, nil, args...), out
	}

	plan := onepipe(t, nil, "plan", "--source", app, "--only", "pack", "--scan-fail-on", "high", "--scan-database", db)
	if plan.code != 0 {
		t.Fatalf("plan: exit %d\n%s", plan.code, plan.stderr)
	}
	for _, w := range []string{"pack linux/amd64, scan", "osv-scanner v2.6.0", "fails at high and above (--scan-fail-on)", "the OSV database in " + db} {
		if !strings.Contains(plan.stdout, w) {
			t.Errorf("plan lacks %q:\n%s", w, plan.stdout)
		}
	}

	failed, out := scan("--scan-fail-on", "high")
	if failed.code != 1 {
		t.Fatalf("--scan-fail-on high: exit %d, want 1\n%s\n%s", failed.code, failed.stdout, lastLines(failed.stderr, 20))
	}
	for _, w := range []string{flaskAdvisory, "CVE-2023-30861", "flask 2.2.2", "high 7.5", "upgrade flask to"} {
		if !strings.Contains(failed.stdout+failed.stderr, w) {
			t.Errorf("failed run does not say %q:\n%s\n%s", w, failed.stdout, lastLines(failed.stderr, 10))
		}
	}
	checkScanReports(t, out, true)

	os.WriteFile(filepath.Join(app, "onepipe.yaml"), []byte(mustRead(t, filepath.Join(app, "onepipe.yaml"))+`
scan:
  failOn: high
  allow:
    - id: CVE-2023-30861
      reason: no caching proxy in front of the app; upgrade with the next Debian point release
      expires: 2099-12-31
`), 0o644)
	passed, out := scan()
	if passed.code != 0 {
		t.Fatalf("allow-listed: exit %d, want 0\n%s\n%s", passed.code, passed.stdout, lastLines(passed.stderr, 20))
	}
	if !strings.Contains(passed.stdout, "1 allowed") {
		t.Errorf("allow-listed run does not say the finding is allowed:\n%s", passed.stdout)
	}
	checkScanReports(t, out, false)

	os.WriteFile(filepath.Join(app, "onepipe.yaml"), []byte(strings.Replace(mustRead(t, filepath.Join(app, "onepipe.yaml")), "2099-12-31", "2024-01-31", 1)), 0o644)
	expired, _ := scan()
	if expired.code != 1 || !strings.Contains(expired.stdout+expired.stderr, "expired on 2024-01-31") {
		t.Errorf("expired entry: exit %d, want 1 and the entry named expired\n%s\n%s", expired.code, expired.stdout, lastLines(expired.stderr, 10))
	}
}

// checkScanReports reads the four reports: osv-scanner's JSON and SARIF
// name the advisory; GitLab's container scanning report has it as a High
// vulnerability of flask 2.2.2; the JUnit file fails its testcase when the
// finding blocks and skips it when it is allowed.
func checkScanReports(t *testing.T, out string, blocks bool) {
	t.Helper()
	for _, name := range []string{"scan.json", "scan.sarif"} {
		if s := mustRead(t, filepath.Join(out, name)); !strings.Contains(s, flaskAdvisory) {
			t.Errorf("%s does not name %s", name, flaskAdvisory)
		}
	}
	var gl struct {
		Version string `json:"version"`
		Scan    struct {
			Type string `json:"type"`
		} `json:"scan"`
		Vulnerabilities []struct {
			Severity    string `json:"severity"`
			Identifiers []struct {
				Value string `json:"value"`
			} `json:"identifiers"`
			Location struct {
				Dependency struct {
					Package struct {
						Name string `json:"name"`
					} `json:"package"`
					Version string `json:"version"`
				} `json:"dependency"`
				OperatingSystem string `json:"operating_system"`
			} `json:"location"`
		} `json:"vulnerabilities"`
	}
	if err := json.Unmarshal([]byte(mustRead(t, filepath.Join(out, "gl-container-scanning-report.json"))), &gl); err != nil {
		t.Fatalf("gl-container-scanning-report.json: %v", err)
	}
	found := false
	for _, v := range gl.Vulnerabilities {
		if v.Location.Dependency.Package.Name == "flask" && v.Location.Dependency.Version == "2.2.2" && v.Severity == "High" && v.Identifiers[0].Value == flaskAdvisory {
			found = true
			if !strings.HasPrefix(v.Location.OperatingSystem, "debian") {
				t.Errorf("gitlab report: operating_system %q, want debian:12", v.Location.OperatingSystem)
			}
		}
	}
	if !found || gl.Scan.Type != "container_scanning" || !strings.HasPrefix(gl.Version, "15.") {
		t.Errorf("gitlab report lacks the flask finding (version %s, type %s): %+v", gl.Version, gl.Scan.Type, gl.Vulnerabilities)
	}
	junit := mustRead(t, filepath.Join(out, "scan-junit.xml"))
	if got := strings.Contains(junit, "<failure"); got != blocks {
		t.Errorf("scan-junit.xml: has a failure = %v, want %v\n%s", got, blocks, junit)
	}
}

// osvDatabase zips testdata/osv/ECOSYSTEM/*.json into ECOSYSTEM/all.zip,
// the layout osv.dev publishes, and returns the folder.
func osvDatabase(t *testing.T) string {
	t.Helper()
	src := filepath.Join(repoRoot, "e2e", "testdata", "osv")
	dst := t.TempDir()
	ecosystems, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, eco := range ecosystems {
		if !eco.IsDir() {
			continue
		}
		records, _ := filepath.Glob(filepath.Join(src, eco.Name(), "*.json"))
		if err := os.MkdirAll(filepath.Join(dst, eco.Name()), 0o755); err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(filepath.Join(dst, eco.Name(), "all.zip"))
		if err != nil {
			t.Fatal(err)
		}
		zw := zip.NewWriter(f)
		for _, r := range records {
			w, err := zw.Create(filepath.Base(r))
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte(mustRead(t, r)))
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	return dst
}
