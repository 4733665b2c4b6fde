package config

import (
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/onepipe/onepipe/internal/vulnscan"
)

// Scan configures the image vulnerability scan (scan:): osv-scanner reads
// the image's Debian and Python packages after pack and before publish.
// A scan: section turns the scan on for `onepipe run` and `onepipe pack`
// (as --scan does).
type Scan struct {
	// FailOn is the severity that fails the run: low, medium, high or
	// critical (default: report only). Findings without a rating fail only
	// at low.
	FailOn string `json:"failOn,omitempty"`
	// Allow accepts advisories the team has looked at, each with a reason
	// and an expiry date.
	Allow []ScanAllow `json:"allow,omitempty"`
	// Database is a folder, relative to the app folder, holding the OSV
	// database as osv.dev publishes it: one ECOSYSTEM/all.zip per ecosystem
	// (Debian/all.zip, PyPI/all.zip), e.g. copied from a mirror of
	// https://osv-vulnerabilities.storage.googleapis.com. Default: the scan
	// downloads the live database from there (kept in an engine cache
	// volume between runs); --scan-database replaces it.
	Database string `json:"database,omitempty"`
}

// ScanAllow accepts one advisory until a date.
type ScanAllow struct {
	// ID is the advisory's ID or any alias: GHSA-..., CVE-..., PYSEC-...,
	// DEBIAN-CVE-...
	ID string `json:"id"`
	// Reason says why the finding is accepted (shown in the reports).
	Reason string `json:"reason"`
	// Expires is the last day the entry applies, YYYY-MM-DD; from the next
	// day the finding counts again and the run says the entry expired.
	Expires string `json:"expires"`
}

// Enabled says whether onepipe.yaml asks for the scan.
func (s Scan) Enabled() bool {
	return s.FailOn != "" || len(s.Allow) > 0 || s.Database != ""
}

// Validate checks scan:; expiry dates are read here, whether they passed
// is for the run to say.
func (s Scan) Validate() error {
	if s.FailOn != "" {
		if _, err := vulnscan.ParseSeverity("scan.failOn", s.FailOn); err != nil {
			return err
		}
	}
	if s.Database != "" {
		if err := checkScanDatabase("scan.database", s.Database); err != nil {
			return err
		}
	}
	_, err := s.AllowList()
	return err
}

// AllowList is scan.allow, read.
func (s Scan) AllowList() ([]vulnscan.Allow, error) {
	out := make([]vulnscan.Allow, len(s.Allow))
	for i, a := range s.Allow {
		field := fmt.Sprintf("scan.allow[%d]", i)
		if strings.TrimSpace(a.ID) == "" {
			return nil, fmt.Errorf("%s.id: name the advisory, e.g. GHSA-m2qf-hxjv-5gpq or CVE-2023-30861", field)
		}
		field = fmt.Sprintf("scan.allow[%d] (%s)", i, a.ID)
		if strings.TrimSpace(a.Reason) == "" {
			return nil, fmt.Errorf("%s: give a reason: why the finding is accepted", field)
		}
		if a.Expires == "" {
			return nil, fmt.Errorf("%s: give an expiry date, expires: YYYY-MM-DD", field)
		}
		exp, err := time.Parse(vulnscan.DateLayout, a.Expires)
		if err != nil {
			return nil, fmt.Errorf("%s: expires %q: write the date as YYYY-MM-DD, e.g. 2027-01-31", field, a.Expires)
		}
		out[i] = vulnscan.Allow{ID: strings.TrimSpace(a.ID), Reason: a.Reason, Expires: exp}
	}
	return out, nil
}

// checkScanDatabase requires a folder inside the app folder.
func checkScanDatabase(field, p string) error {
	if path.IsAbs(p) || strings.HasPrefix(p, "\\") || (len(p) > 1 && p[1] == ':') {
		return fmt.Errorf("%s %q: give a folder relative to the app folder (or --scan-database for one elsewhere)", field, p)
	}
	if c := path.Clean(p); c == ".." || strings.HasPrefix(c, "../") {
		return fmt.Errorf("%s %q: the folder must be inside the app folder (or use --scan-database)", field, p)
	}
	return nil
}
