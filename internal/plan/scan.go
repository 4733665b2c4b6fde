package plan

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/versions"
	"github.com/onepipe/onepipe/internal/vulnscan"
	"github.com/onepipe/onepipe/pipeline"
)

// Scan says whether and how the image is scanned (--scan, --scan-fail-on,
// --scan-database). A scan: section in onepipe.yaml turns it on too.
type Scan struct {
	// On asks for the scan.
	On bool
	// FailOn is the severity that fails the run: low, medium, high or
	// critical (implies On; default scan.failOn, else report only).
	FailOn string
	// Database is a folder on this machine holding the OSV database
	// (ECOSYSTEM/all.zip; implies On; default scan.database, else the live
	// database).
	Database string
}

func (s Scan) asked() bool { return s.On || s.FailOn != "" || s.Database != "" }

// ScanPlan is how the run scans the image.
type ScanPlan struct {
	// FailOn fails the run (SeverityUnknown: report only); FailOnWhy says
	// where it came from.
	FailOn    vulnscan.Severity
	FailOnWhy string
	Allow     []vulnscan.Allow
	// HostDatabase is a folder on this machine, SourceDatabase one in the
	// app folder; both empty: the live database.
	HostDatabase, SourceDatabase string
	// Image names the image in the reports.
	Image string
	// Now is when the plan was made (allow-list expiry).
	Now time.Time
}

// resolveScan decides the scan: asked for by a flag (an error when the run
// builds no image) or by onepipe.yaml (then only for runs that build one).
func (p *Plan) resolveScan(in Inputs, now time.Time) error {
	cfg := p.App.Config.Scan
	if !in.Scan.asked() && !cfg.Enabled() {
		return nil
	}
	if !p.needsImage(in) {
		if in.Scan.asked() {
			return errors.New("--scan needs the image: drop --only or include pack")
		}
		return nil
	}
	sp := &ScanPlan{Now: now, Image: pipeline.LocalImageRef(p.App.Config.App, p.Release.Version)}
	if p.Release.Version == "" {
		sp.Image = strings.TrimSuffix(sp.Image, ":")
	}
	if p.Publish != nil && len(p.Publish.Tags) > 0 {
		sp.Image = p.Publish.Repository + ":" + p.Publish.Tags[0]
	}
	field, failOn := "--scan-fail-on", in.Scan.FailOn
	if failOn == "" {
		field, failOn = "scan.failOn in onepipe.yaml", cfg.FailOn
	}
	if failOn != "" {
		sev, err := vulnscan.ParseSeverity(field, failOn)
		if err != nil {
			return err
		}
		sp.FailOn, sp.FailOnWhy = sev, field
	}
	allow, err := cfg.AllowList()
	if err != nil {
		return err
	}
	sp.Allow = allow
	switch {
	case in.Scan.Database != "":
		if err := checkDatabaseFolder("--scan-database", in.Scan.Database); err != nil {
			return err
		}
		abs, err := filepath.Abs(in.Scan.Database)
		if err != nil {
			return fmt.Errorf("--scan-database %s: %w", in.Scan.Database, err)
		}
		sp.HostDatabase = abs
	case cfg.Database != "":
		if p.App.Source.Dir != "" {
			if err := checkDatabaseFolder("scan.database in onepipe.yaml", filepath.Join(p.App.Project.Dir, cfg.Database)); err != nil {
				return err
			}
		}
		sp.SourceDatabase = filepath.ToSlash(cfg.Database)
	}
	p.Scan = sp
	return nil
}

// checkDatabaseFolder requires a folder on this machine.
func checkDatabaseFolder(field, dir string) error {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return fmt.Errorf("%s %s: no such folder: give the folder holding the OSV database (ECOSYSTEM/all.zip, e.g. PyPI/all.zip)", field, dir)
	}
	return nil
}

// scanStep is the scan stage of the run on dag (nil: no scan).
func (p *Plan) scanStep(dag *dagger.Client) *pipeline.ScanStep {
	if p.Scan == nil {
		return nil
	}
	s := &pipeline.ScanStep{
		Policy:         vulnscan.Policy{FailOn: p.Scan.FailOn, Allow: p.Scan.Allow},
		SourceDatabase: p.Scan.SourceDatabase,
		Image:          p.Scan.Image,
	}
	if p.Scan.HostDatabase != "" {
		s.Database = dag.Host().Directory(p.Scan.HostDatabase)
	}
	return s
}

// Line is what onepipe plan prints for the scan.
func (s *ScanPlan) Line() string {
	threshold := "report only (--scan-fail-on low|medium|high|critical fails the run)"
	if s.FailOn != vulnscan.SeverityUnknown {
		threshold = fmt.Sprintf("fails at %s and above (%s)", s.FailOn, s.FailOnWhy)
	}
	db := "the live OSV database (downloaded, kept in an engine cache volume)"
	switch {
	case s.HostDatabase != "":
		db = "the OSV database in " + s.HostDatabase
	case s.SourceDatabase != "":
		db = "the OSV database in " + s.SourceDatabase + " (scan.database)"
	}
	out := fmt.Sprintf("osv-scanner %s on %s after pack, before publish: Debian and Python packages; %s; %s", versions.OSVScanner, s.Image, threshold, db)
	if len(s.Allow) > 0 {
		allowed := make([]string, len(s.Allow))
		for i, a := range s.Allow {
			state := "until"
			if !s.Now.UTC().Before(a.Expires.AddDate(0, 0, 1)) {
				state = "EXPIRED"
			}
			allowed[i] = fmt.Sprintf("%s %s %s", a.ID, state, a.Expires.Format(vulnscan.DateLayout))
		}
		out += "; allowed: " + strings.Join(allowed, ", ")
	}
	return out
}
