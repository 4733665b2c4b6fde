package vulnscan

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Finding is one vulnerability (an advisory and its aliases) in one
// package of the image.
type Finding struct {
	// ID is the advisory osv-scanner reports first (e.g. GHSA-m2qf-hxjv-5gpq);
	// Aliases are the other names of the same issue (CVE-2023-30861).
	ID      string
	Aliases []string
	// Package, Version and Ecosystem name what is installed (flask 2.2.2,
	// PyPI; or a Debian package, Debian:12).
	Package, Version, Ecosystem string
	// Sources are where the scanner found the package (os:/var/lib/dpkg/status,
	// artifact:/usr/local/lib/python3.11/dist-packages/flask-2.2.2.dist-info/METADATA,
	// artifact:/wheels/flask-2.2.2-py3-none-any.whl): one finding however
	// many copies the image holds.
	Sources []string
	// Severity rates the finding; Score is the CVSS base score it came from
	// ("" when the advisory gives only a word).
	Severity Severity
	Score    string
	Summary  string
	// Fixed lists the versions that fix it, when the advisory names any.
	Fixed []string
}

// Names are the finding's ID and aliases.
func (f Finding) Names() []string { return append([]string{f.ID}, f.Aliases...) }

// What names the finding in one line: "GHSA-m2qf-hxjv-5gpq (CVE-2023-30861)
// in flask 2.2.2, high 7.5".
func (f Finding) What() string {
	var b strings.Builder
	b.WriteString(f.ID)
	if len(f.Aliases) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(f.Aliases, ", "))
	}
	fmt.Fprintf(&b, " in %s %s, %s", f.Package, f.Version, f.Severity)
	if f.Score != "" {
		b.WriteString(" " + f.Score)
	}
	return b.String()
}

// Remedy says what fixes it: "upgrade flask to 2.2.5" or "no fixed version
// yet".
func (f Finding) Remedy() string {
	if len(f.Fixed) == 0 {
		return "no fixed version of " + f.Package + " is known yet"
	}
	return fmt.Sprintf("upgrade %s to %s", f.Package, strings.Join(f.Fixed, " or "))
}

// Results are what a scan found.
type Results struct {
	Findings []Finding
	// OS is the image's operating system as id:version, e.g. debian:12
	// ("" when the scanner did not say).
	OS string
}

// The parts of osv-scanner's JSON output (--format json) read here.
type osvOutput struct {
	ImageMetadata struct {
		// OS is the image's PRETTY_NAME: Debian GNU/Linux 12 (bookworm).
		OS string `json:"os"`
	} `json:"image_metadata"`
	Results []struct {
		Source struct {
			Path string `json:"path"`
			Type string `json:"type"`
		} `json:"source"`
		Packages []struct {
			Package struct {
				Name      string `json:"name"`
				Version   string `json:"version"`
				Ecosystem string `json:"ecosystem"`
			} `json:"package"`
			Vulnerabilities []osvVuln `json:"vulnerabilities"`
			Groups          []struct {
				IDs         []string `json:"ids"`
				Aliases     []string `json:"aliases"`
				MaxSeverity string   `json:"max_severity"`
			} `json:"groups"`
		} `json:"packages"`
	} `json:"results"`
}

// osvVuln is the part of an OSV record read here.
type osvVuln struct {
	ID               string   `json:"id"`
	Summary          string   `json:"summary"`
	Details          string   `json:"details"`
	Aliases          []string `json:"aliases"`
	DatabaseSpecific struct {
		Severity string `json:"severity"`
	} `json:"database_specific"`
	Affected []struct {
		Package struct {
			Name string `json:"name"`
		} `json:"package"`
		Ranges []struct {
			Events []struct {
				Fixed string `json:"fixed"`
			} `json:"events"`
		} `json:"ranges"`
		EcosystemSpecific struct {
			Urgency string `json:"urgency"`
		} `json:"ecosystem_specific"`
	} `json:"affected"`
}

// ParseOSV reads osv-scanner's JSON output: one finding per group of
// aliases per package, sorted by severity (highest first), then ID.
func ParseOSV(data []byte) (Results, error) {
	var out osvOutput
	if err := json.Unmarshal(data, &out); err != nil {
		return Results{}, fmt.Errorf("read osv-scanner's results: %w", err)
	}
	os := out.ImageMetadata.OS
	if m := osName.FindStringSubmatch(os); m != nil {
		os = strings.ToLower(m[1]) + ":" + m[2]
	}
	seen := map[string]int{} // one finding per advisory and package version
	var fs []Finding
	for _, res := range out.Results {
		for _, pkg := range res.Packages {
			byID := map[string]osvVuln{}
			for _, v := range pkg.Vulnerabilities {
				byID[v.ID] = v
			}
			for _, g := range pkg.Groups {
				if len(g.IDs) == 0 {
					continue
				}
				source := res.Source.Type + ":" + res.Source.Path
				key := strings.Join([]string{g.IDs[0], pkg.Package.Ecosystem, pkg.Package.Name, pkg.Package.Version}, "\x00")
				if i, ok := seen[key]; ok {
					fs[i].Sources = append(fs[i].Sources, source)
					continue
				}
				seen[key] = len(fs)
				f := Finding{
					ID:        g.IDs[0],
					Package:   pkg.Package.Name,
					Version:   pkg.Package.Version,
					Ecosystem: pkg.Package.Ecosystem,
					Sources:   []string{source},
				}
				for _, a := range append(slices.Clone(g.IDs[1:]), g.Aliases...) {
					if a != f.ID && !slices.Contains(f.Aliases, a) {
						f.Aliases = append(f.Aliases, a)
					}
				}
				if score, ok := scoreOf(g.MaxSeverity); ok {
					f.Score, f.Severity = formatScore(score), SeverityOfScore(score)
				}
				for _, id := range g.IDs {
					v, ok := byID[id]
					if !ok {
						continue
					}
					if f.Summary == "" {
						f.Summary = firstNonEmpty(v.Summary, firstLine(v.Details))
					}
					if f.Score == "" {
						f.Severity = max(f.Severity, severityOfWord(v.DatabaseSpecific.Severity))
					}
					for _, a := range v.Affected {
						if !strings.EqualFold(a.Package.Name, pkg.Package.Name) {
							continue
						}
						if f.Score == "" {
							f.Severity = max(f.Severity, severityOfWord(a.EcosystemSpecific.Urgency))
						}
						for _, r := range a.Ranges {
							for _, e := range r.Events {
								if e.Fixed != "" && !slices.Contains(f.Fixed, e.Fixed) {
									f.Fixed = append(f.Fixed, e.Fixed)
								}
							}
						}
					}
				}
				fs = append(fs, f)
			}
		}
	}
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Severity != fs[j].Severity {
			return fs[i].Severity > fs[j].Severity
		}
		if fs[i].ID != fs[j].ID {
			return fs[i].ID < fs[j].ID
		}
		return fs[i].Package < fs[j].Package
	})
	return Results{Findings: fs, OS: os}, nil
}

// osName reads "Debian GNU/Linux 12 (bookworm)" as debian, 12.
var osName = regexp.MustCompile(`^(\w+)\D*?(\d+(?:\.\d+)*)`)

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
