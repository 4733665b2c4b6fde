// Package junit reads the JUnit XML reports that test runners write and writes
// JUnit XML for lint findings, so GitLab and Azure DevOps can display both.
package junit

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Summary counts the testcases of a report and names the ones that did not pass.
type Summary struct {
	Tests, Failures, Errors, Skipped int
	// Failed lists failing and erroring testcases as "classname::name", sorted.
	Failed []string
}

// Passed is Tests minus failures, errors and skips.
func (s Summary) Passed() int { return s.Tests - s.Failures - s.Errors - s.Skipped }

// String is one line such as "12 passed, 1 failed, 0 errors, 2 skipped".
func (s Summary) String() string {
	return fmt.Sprintf("%d passed, %d failed, %d errors, %d skipped", s.Passed(), s.Failures, s.Errors, s.Skipped)
}

type testcase struct {
	Name      string    `xml:"name,attr"`
	Classname string    `xml:"classname,attr"`
	Failure   *struct{} `xml:"failure"`
	Error     *struct{} `xml:"error"`
	Skipped   *struct{} `xml:"skipped"`
}

type suite struct {
	Cases  []testcase `xml:"testcase"`
	Suites []suite    `xml:"testsuite"`
}

// Parse reads a report whose root is <testsuites> or <testsuite>.
func Parse(data []byte) (Summary, error) {
	var root suite
	if err := xml.Unmarshal(data, &root); err != nil {
		return Summary{}, fmt.Errorf("read JUnit report: %w", err)
	}
	var s Summary
	var walk func(suite)
	walk = func(su suite) {
		for _, c := range su.Cases {
			s.Tests++
			id := c.Name
			if c.Classname != "" {
				id = c.Classname + "::" + c.Name
			}
			switch {
			case c.Failure != nil:
				s.Failures++
				s.Failed = append(s.Failed, id)
			case c.Error != nil:
				s.Errors++
				s.Failed = append(s.Failed, id)
			case c.Skipped != nil:
				s.Skipped++
			}
		}
		for _, child := range su.Suites {
			walk(child)
		}
	}
	walk(root)
	sort.Strings(s.Failed)
	return s, nil
}

// Finding is one lint message.
type Finding struct {
	File         string
	Line, Column int
	Code         string
	Message      string
}

// flake8 and ruff's concise format: path:line:col: CODE message
var findingLine = regexp.MustCompile(`^(.+?):(\d+):(\d+): ([A-Z]+[0-9]*) (.*)$`)

// ParseFindings reads flake8's default output (also ruff's concise output).
// Lines that are not findings are ignored.
func ParseFindings(text string) []Finding {
	var out []Finding
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		m := findingLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		line, _ := strconv.Atoi(m[2])
		col, _ := strconv.Atoi(m[3])
		out = append(out, Finding{File: strings.TrimPrefix(m[1], "./"), Line: line, Column: col, Code: m[4], Message: m[5]})
	}
	return out
}

type xmlFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type xmlCase struct {
	Name      string      `xml:"name,attr"`
	Classname string      `xml:"classname,attr"`
	File      string      `xml:"file,attr,omitempty"`
	Failure   *xmlFailure `xml:"failure,omitempty"`
}

type xmlSuite struct {
	XMLName  xml.Name  `xml:"testsuite"`
	Name     string    `xml:"name,attr"`
	Tests    int       `xml:"tests,attr"`
	Failures int       `xml:"failures,attr"`
	Cases    []xmlCase `xml:"testcase"`
}

// LintReport renders findings as a JUnit report: one failing testcase per
// finding, or a single passing testcase when there are none, so CI test tabs
// show a clean lint run too.
func LintReport(tool string, findings []Finding) ([]byte, error) {
	s := xmlSuite{Name: tool, Tests: len(findings), Failures: len(findings)}
	for _, f := range findings {
		loc := fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Column)
		s.Cases = append(s.Cases, xmlCase{
			Name:      fmt.Sprintf("%s %s", f.Code, loc),
			Classname: tool + "." + f.File,
			File:      f.File,
			Failure:   &xmlFailure{Message: f.Message, Type: f.Code, Text: loc + ": " + f.Code + " " + f.Message},
		})
	}
	if len(findings) == 0 {
		s.Tests = 1
		s.Cases = []xmlCase{{Name: "no findings", Classname: tool}}
	}
	out, err := xml.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(out, '\n')...), nil
}
