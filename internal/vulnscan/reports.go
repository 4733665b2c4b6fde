package vulnscan

import (
	"crypto/sha256"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strings"
	"time"
)

// Scanner names the tool in the reports.
type Scanner struct {
	Name, Version, Vendor, URL string
}

// Scanned is what the reports say was scanned, by what and when.
type Scanned struct {
	Scanner Scanner
	// Image names the image (repository:tag, or the app's local name).
	Image string
	// OS is the image's operating system, e.g. debian:12 ("" unknown).
	OS         string
	Start, End time.Time
}

// GitLab container scanning report (schema 15.x: the fields it requires,
// and the ones GitLab's vulnerability report shows).
type glReport struct {
	Version         string  `json:"version"`
	Scan            glScan  `json:"scan"`
	Vulnerabilities []glVul `json:"vulnerabilities"`
	Remediations    []any   `json:"remediations"`
}

type glScan struct {
	Analyzer  glTool `json:"analyzer"`
	Scanner   glTool `json:"scanner"`
	Type      string `json:"type"`
	StartTime string `json:"start_time"`
	EndTime   string `json:"end_time"`
	Status    string `json:"status"`
}

type glTool struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	URL     string   `json:"url,omitempty"`
	Version string   `json:"version"`
	Vendor  glVendor `json:"vendor"`
}

type glVendor struct {
	Name string `json:"name"`
}

type glVul struct {
	ID          string         `json:"id"`
	Name        string         `json:"name,omitempty"`
	Description string         `json:"description,omitempty"`
	Severity    string         `json:"severity"`
	Solution    string         `json:"solution,omitempty"`
	Identifiers []glIdentifier `json:"identifiers"`
	Links       []glLink       `json:"links,omitempty"`
	Location    glLocation     `json:"location"`
}

type glIdentifier struct {
	Type  string `json:"type"`
	Name  string `json:"name"`
	Value string `json:"value"`
	URL   string `json:"url,omitempty"`
}

type glLink struct {
	URL string `json:"url"`
}

type glLocation struct {
	Dependency      glDependency `json:"dependency"`
	OperatingSystem string       `json:"operating_system"`
	Image           string       `json:"image"`
}

type glDependency struct {
	Package struct {
		Name string `json:"name"`
	} `json:"package"`
	Version string `json:"version"`
}

// GitLabSchemaVersion is the container scanning report schema written.
const GitLabSchemaVersion = "15.2.1"

// gitlabTime is the schema's date-time format (no zone, UTC).
const gitlabTime = "2006-01-02T15:04:05"

// GitLab writes the findings as GitLab's container scanning report
// (gl-container-scanning-report.json, artifacts:reports:container_scanning).
func (v Verdict) GitLab(s Scanned) ([]byte, error) {
	id := strings.ToLower(s.Scanner.Name)
	r := glReport{
		Version: GitLabSchemaVersion,
		Scan: glScan{
			Analyzer:  glTool{ID: "onepipe-" + id, Name: "onepipe (" + s.Scanner.Name + ")", Version: s.Scanner.Version, Vendor: glVendor{Name: "onepipe"}},
			Scanner:   glTool{ID: id, Name: s.Scanner.Name, URL: s.Scanner.URL, Version: s.Scanner.Version, Vendor: glVendor{Name: s.Scanner.Vendor}},
			Type:      "container_scanning",
			StartTime: s.Start.UTC().Format(gitlabTime),
			EndTime:   s.End.UTC().Format(gitlabTime),
			Status:    "success",
		},
		Vulnerabilities: make([]glVul, 0, len(v.Findings)),
		Remediations:    []any{},
	}
	osName := s.OS
	if osName == "" {
		osName = "unknown"
	}
	for _, j := range v.Findings {
		gv := glVul{
			ID:          findingUUID(j.Finding),
			Name:        firstNonEmpty(j.Summary, j.ID),
			Description: describe(j),
			Severity:    gitlabSeverity(j.Severity),
			Solution:    j.Remedy(),
			Location:    glLocation{OperatingSystem: osName, Image: s.Image},
		}
		gv.Location.Dependency.Package.Name = j.Package
		gv.Location.Dependency.Version = j.Version
		for _, n := range j.Names() {
			gv.Identifiers = append(gv.Identifiers, glIdentifier{Type: identifierType(n), Name: n, Value: n, URL: advisoryURL(n)})
		}
		gv.Links = []glLink{{URL: advisoryURL(j.ID)}}
		r.Vulnerabilities = append(r.Vulnerabilities, gv)
	}
	out, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("gitlab report: %w", err)
	}
	return append(out, '\n'), nil
}

func describe(j Judged) string {
	d := fmt.Sprintf("%s %s (%s) is affected by %s. In the image at %s.", j.Package, j.Version, j.Ecosystem, j.ID, strings.Join(j.Sources, ", "))
	if n := j.Note(); n != "" {
		d += " onepipe: " + n + "."
	}
	return d
}

// gitlabSeverity maps to the schema's enum: Info, Unknown, Low, Medium,
// High, Critical.
func gitlabSeverity(s Severity) string {
	if s == SeverityUnknown {
		return "Unknown"
	}
	n := s.String()
	return strings.ToUpper(n[:1]) + n[1:]
}

// identifierType is the identifier's kind, lowercase, as GitLab's analyzers
// write it: cve, ghsa, pysec, debian, ...
func identifierType(id string) string {
	kind, _, ok := strings.Cut(id, "-")
	if !ok {
		return "osv"
	}
	return strings.ToLower(kind)
}

// advisoryURL is the advisory's page on osv.dev.
func advisoryURL(id string) string { return "https://osv.dev/vulnerability/" + id }

// findingUUID is a stable UUID (v4 layout) of the finding, so GitLab keeps
// one vulnerability across pipelines.
func findingUUID(f Finding) string {
	h := sha256.Sum256([]byte(f.ID + "\x00" + f.Ecosystem + "\x00" + f.Package + "\x00" + f.Version))
	h[6] = h[6]&0x0f | 0x40
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// JUnit test results (Azure DevOps' PublishTestResults, JUnit format).
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Timestamp string      `xml:"timestamp,attr,omitempty"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// JUnit writes the findings as test results: each finding is a testcase,
// failed when it blocks (at or above the threshold, not allowed), skipped
// when the allow-list accepts it, passed otherwise; an image without
// findings is one passed testcase. Azure DevOps shows it in the run's
// Tests tab.
func (v Verdict) JUnit(s Scanned) ([]byte, error) {
	suite := junitSuite{Name: "image scan " + s.Image, Timestamp: s.Start.UTC().Format(gitlabTime)}
	for _, j := range v.Findings {
		c := junitCase{Name: fmt.Sprintf("%s in %s %s", j.ID, j.Package, j.Version), ClassName: "scan." + j.Ecosystem}
		detail := strings.Join(append([]string{j.What(), j.Summary, j.Remedy(), advisoryURL(j.ID)}, j.Sources...), "\n")
		switch {
		case j.Blocks:
			msg := fmt.Sprintf("%s at or above %s", j.Severity, v.FailOn)
			if j.Expired != nil {
				msg += "; " + j.Note()
			}
			c.Failure = &junitMessage{Message: msg, Type: "vulnerability", Text: detail}
			suite.Failures++
		case j.AllowedBy != nil:
			c.Skipped = &junitMessage{Message: j.Note()}
			suite.Skipped++
		default:
			c.SystemOut = detail
		}
		suite.Cases = append(suite.Cases, c)
	}
	if len(suite.Cases) == 0 {
		suite.Cases = []junitCase{{Name: "no known vulnerabilities", ClassName: "scan"}}
	}
	suite.Tests = len(suite.Cases)
	doc := junitSuites{Name: "onepipe scan", Tests: suite.Tests, Failures: suite.Failures, Suites: []junitSuite{suite}}
	out, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("junit report: %w", err)
	}
	return append([]byte(xml.Header), append(out, '\n')...), nil
}
