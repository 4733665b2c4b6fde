// Package vulnscan judges an image scan: it reads osv-scanner's JSON
// results, rates each finding (low, medium, high, critical), applies the
// threshold and the allow-list of onepipe.yaml (scan:), and writes the
// reports CI systems display: GitLab's container scanning report and a
// JUnit file for Azure DevOps' test results. It has no Dagger in it.
package vulnscan

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Severity rates a finding; the zero value is a finding without a rating.
type Severity int

// Severities, in increasing order.
const (
	SeverityUnknown Severity = iota
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

// SeverityNames are the threshold names --scan-fail-on and scan.failOn take.
var SeverityNames = []string{"low", "medium", "high", "critical"}

// String is the severity's lowercase name ("unknown" for none).
func (s Severity) String() string {
	if s >= SeverityLow && s <= SeverityCritical {
		return SeverityNames[s-1]
	}
	return "unknown"
}

// ParseSeverity reads a threshold name (case-insensitive); field names the
// setting in the error.
func ParseSeverity(field, s string) (Severity, error) {
	for i, n := range SeverityNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return Severity(i + 1), nil
		}
	}
	return SeverityUnknown, fmt.Errorf("%s %q: use %s", field, s, strings.Join(SeverityNames, ", "))
}

// SeverityOfScore rates a CVSS base score with the CVSS v3 bands: 0.1–3.9
// low, 4.0–6.9 medium, 7.0–8.9 high, 9.0–10.0 critical.
func SeverityOfScore(score float64) Severity {
	switch {
	case score >= 9:
		return SeverityCritical
	case score >= 7:
		return SeverityHigh
	case score >= 4:
		return SeverityMedium
	case score > 0:
		return SeverityLow
	}
	return SeverityUnknown
}

// severityOfWord reads the words advisories rate with (GitHub's
// database_specific.severity: LOW, MODERATE, HIGH, CRITICAL; Debian's
// urgency: low, medium, high).
func severityOfWord(w string) Severity {
	switch strings.ToLower(strings.TrimSpace(w)) {
	case "low", "unimportant", "negligible":
		return SeverityLow
	case "moderate", "medium":
		return SeverityMedium
	case "high", "important":
		return SeverityHigh
	case "critical":
		return SeverityCritical
	}
	return SeverityUnknown
}

// scoreOf reads max_severity, the score osv-scanner computed for a group
// of aliases ("" or unparsable: none).
func scoreOf(v string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	return f, err == nil && f > 0
}

// formatScore prints a score with one decimal, as CVSS does.
func formatScore(f float64) string {
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', 1, 64)
}
