package config

import (
	"strings"
	"testing"
)

func TestParseScan(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, err string
	}{
		{"threshold and allow-list", "scan:\n  failOn: high\n  allow:\n    - id: GHSA-m2qf-hxjv-5gpq\n      reason: no caching proxy\n      expires: 2027-01-31\n", ""},
		{"database in the app", "scan:\n  database: osv-db\n", ""},
		{"unknown threshold", "scan:\n  failOn: severe\n", `line 2: scan.failOn "severe": use low, medium, high, critical`},
		{"no reason", "scan:\n  allow:\n    - id: CVE-2023-30861\n      expires: 2027-01-31\n", "scan.allow[0] (CVE-2023-30861): give a reason"},
		{"no expiry", "scan:\n  allow:\n    - id: CVE-2023-30861\n      reason: r\n", "scan.allow[0] (CVE-2023-30861): give an expiry date, expires: YYYY-MM-DD"},
		{"bad date", "scan:\n  allow:\n    - id: CVE-2023-30861\n      reason: r\n      expires: 31/01/2027\n", `expires "31/01/2027": write the date as YYYY-MM-DD`},
		{"no id", "scan:\n  allow:\n    - reason: r\n      expires: 2027-01-31\n", "scan.allow[0].id: name the advisory"},
		{"database outside", "scan:\n  database: ../db\n", `scan.database "../db": the folder must be inside the app folder`},
		{"database absolute", "scan:\n  database: /var/db\n", `scan.database "/var/db": give a folder relative to the app folder`},
		{"unknown field", "scan:\n  failon: high\n", "failon"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.yaml))
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("Parse: %v", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("Parse error = %v, want one with %q", err, tc.err)
			case tc.err == "" && !c.Scan.Enabled():
				t.Errorf("scan: section does not enable the scan: %+v", c.Scan)
			}
		})
	}
	if (Scan{}).Enabled() {
		t.Error("no scan: section enables the scan")
	}
	c, _ := Parse([]byte("scan:\n  allow:\n    - id: CVE-2023-30861\n      reason: r\n      expires: 2027-01-31\n"))
	allow, err := c.Scan.AllowList()
	if err != nil || len(allow) != 1 || allow[0].Expires.Format("2006-01-02") != "2027-01-31" {
		t.Errorf("AllowList = %+v, %v", allow, err)
	}
}
