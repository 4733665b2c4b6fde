package pipeline

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/versions"
	"github.com/onepipe/onepipe/internal/vulnscan"
)

// StageScan is the image vulnerability scan: after pack, before publish.
const StageScan Stage = "scan"

// ScanStep is what the scan stage checks the image pack built against.
type ScanStep struct {
	// Policy is the threshold that fails the run (SeverityUnknown: report
	// only) and the allow-list; a zero Now is the time the stage starts.
	Policy vulnscan.Policy
	// Database is the OSV database as osv.dev publishes it, one
	// ECOSYSTEM/all.zip per ecosystem (Debian/all.zip, PyPI/all.zip): the
	// scanner reads it offline. Nil: the scanner downloads the live
	// database into an engine cache volume and reads it from there.
	Database *dagger.Directory
	// SourceDatabase is the database as a folder of the app's source
	// (scan.database in onepipe.yaml), used when Database is nil.
	SourceDatabase string
	// Image names the image in the reports (repository:tag or the app's
	// local name).
	Image string
}

// The scan's reports, by name in the run's report folder.
const (
	ScanJSONReport   = "scan.json"                         // osv-scanner's JSON
	ScanSARIFReport  = "scan.sarif"                        // SARIF 2.1.0 (osv-scanner's)
	ScanGitLabReport = "gl-container-scanning-report.json" // GitLab container scanning
	ScanJUnitReport  = "scan-junit.xml"                    // test results (Azure DevOps)
)

// scanDBPath is where the scanner finds the database: osv-scanner reads
// $OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY/osv-scalibr/ECOSYSTEM/all.zip.
const (
	scanDBPath  = "/osv-db"
	scanDBDir   = scanDBPath + "/osv-scalibr"
	scanArchive = "/scan/image.tar"
)

// osvScanner* are osv-scanner's exit codes: 0 nothing found, 1
// vulnerabilities found, 128 no packages found.
const (
	osvScannerFound      = 1
	osvScannerNoPackages = 128
)

// ScanResult is a scan's verdict and its reports.
type ScanResult struct {
	Verdict vulnscan.Verdict
	// Files are the reports by name (ScanJSONReport, ...).
	Files map[string]*dagger.File
}

// Scan runs osv-scanner on the image of the first platform pack builds (the
// Debian packages in /var/lib/dpkg and the Python distributions in
// site-packages), then judges the findings: the error lists the findings at
// or above the threshold that the allow-list does not accept. The reports
// are in the result also when it fails.
func (p *Pipeline) Scan(ctx context.Context, s ScanStep) (ScanResult, error) {
	if s.Policy.Now.IsZero() {
		s.Policy.Now = time.Now()
	}
	start := time.Now()
	if s.Database == nil && s.SourceDatabase != "" {
		s.Database = p.source.Directory(s.SourceDatabase)
	}
	ctr := p.scanner(s.Database).
		WithMountedFile(scanArchive, p.Image(p.opts.Platforms[0]).AsTarball())
	args := []string{"osv-scanner", "scan", "image", "--archive", "--offline-vulnerabilities"}
	if s.Database == nil {
		args = append(args, "--download-offline-databases")
	}
	run := func(format, out string) *dagger.Container {
		return ctr.WithExec(append(slices.Clone(args), "--format", format, "--output-file", out, scanArchive),
			dagger.ContainerWithExecOpts{Expect: dagger.ReturnTypeAny})
	}
	jsonRun := run("json", "/scan/"+ScanJSONReport)
	data, err := scannerOutput(ctx, jsonRun, "/scan/"+ScanJSONReport)
	if err != nil {
		return ScanResult{}, err
	}
	found, err := vulnscan.ParseOSV([]byte(data))
	if err != nil {
		return ScanResult{}, fmt.Errorf("scan: %w", err)
	}
	v := s.Policy.Judge(found.Findings)
	scanned := vulnscan.Scanned{
		Scanner: vulnscan.Scanner{Name: "osv-scanner", Version: strings.TrimPrefix(versions.OSVScanner, "v"), Vendor: "Google", URL: "https://github.com/google/osv-scanner"},
		Image:   s.Image,
		OS:      found.OS,
		Start:   start,
		End:     time.Now(),
	}
	gl, err := v.GitLab(scanned)
	if err != nil {
		return ScanResult{}, err
	}
	junit, err := v.JUnit(scanned)
	if err != nil {
		return ScanResult{}, err
	}
	dir := p.dag.Directory().
		WithNewFile(ScanJSONReport, data).
		WithNewFile(ScanGitLabReport, string(gl)).
		WithNewFile(ScanJUnitReport, string(junit))
	res := ScanResult{Verdict: v, Files: map[string]*dagger.File{
		ScanJSONReport:   dir.File(ScanJSONReport),
		ScanSARIFReport:  run("sarif", "/scan/"+ScanSARIFReport).File("/scan/" + ScanSARIFReport),
		ScanGitLabReport: dir.File(ScanGitLabReport),
		ScanJUnitReport:  dir.File(ScanJUnitReport),
	}}
	return res, v.Err()
}

// scanner is osv-scanner in a Debian container with the database: the
// given one mounted read-only, or a cache volume the scanner downloads the
// live one into (it then fetches only what changed, by checksum).
func (p *Pipeline) scanner(db *dagger.Directory) *dagger.Container {
	ctr := p.dag.Container().From(versions.DebianImage).
		WithFile("/usr/local/bin/osv-scanner", OSVScannerBinary(p.dag)).
		WithEnvVariable("OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY", scanDBPath)
	if db != nil {
		return ctr.WithMountedDirectory(scanDBDir, db)
	}
	return ctr.
		WithMountedCache(scanDBPath, p.dag.CacheVolume("onepipe-osv-db"), dagger.ContainerWithMountedCacheOpts{Sharing: dagger.CacheSharingModeLocked}).
		WithEnvVariable("ONEPIPE_OSV_DB_DAY", liveDatabaseDay())
}

// scannerOutput is the report a scanner run wrote, or the scanner's own
// words when it failed (a database it could not read, an archive it could
// not open).
func scannerOutput(ctx context.Context, run *dagger.Container, path string) (string, error) {
	code, err := run.ExitCode(ctx)
	if err != nil {
		return "", fmt.Errorf("scan: %w", Explain(err))
	}
	switch code {
	case 0, osvScannerFound:
		out, err := run.File(path).Contents(ctx)
		if err != nil {
			return "", fmt.Errorf("scan: read osv-scanner's results: %w", Explain(err))
		}
		return out, nil
	case osvScannerNoPackages:
		return `{"results":[]}`, nil
	}
	stderr, _ := run.Stderr(ctx)
	return "", fmt.Errorf("scan: osv-scanner exited %d: %s", code, scannerProblem(stderr))
}

// scannerProblem is the line of the scanner's log that says what went
// wrong, with what to do when the database is missing.
func scannerProblem(stderr string) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	last := ""
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if strings.Contains(l, "unable to fetch OSV database") || strings.Contains(l, "could not load db") {
			return l + ": the database folder needs ECOSYSTEM/all.zip for every ecosystem in the image (Debian, PyPI): see scan.database in the README"
		}
		if l != "" {
			last = l
		}
	}
	if last == "" {
		return "no output"
	}
	return last
}

// liveDatabaseDay keys the scan with the live database by the day: the
// engine reuses a scan of the same image that day and scans again (with
// what the database learned) the next.
func liveDatabaseDay() string { return time.Now().UTC().Format(time.DateOnly) }

// scanStage runs the scan stage of a flow on the image pack built: after
// every check passed, before publish. A promoted image (not built by this
// run) and a target's own package (no image) are not scanned.
func (p *Pipeline) scanStage(ctx context.Context, f Flow, r *Report, promoted bool) error {
	switch {
	case f.Scan == nil:
		return nil
	case promoted:
		r.Skip(StageScan, "promoted: the image was scanned by the run that built it")
		return nil
	case f.packager() != nil && f.Publish == nil:
		r.Skip(StageScan, "no image: the target ships its own package")
		return nil
	}
	return r.do(ctx, StageScan, false, func(ctx context.Context) (string, error) {
		res, err := p.Scan(ctx, *f.Scan)
		for _, name := range []string{ScanJSONReport, ScanSARIFReport, ScanGitLabReport, ScanJUnitReport} {
			r.addFile(name, res.Files[name])
		}
		if len(res.Verdict.Findings) == 0 && err != nil {
			return "", err
		}
		return res.Verdict.Summary(), err
	})
}
