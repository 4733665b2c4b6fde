package junit

import (
	"reflect"
	"strings"
	"testing"
)

const pytestReport = `<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="5">
<testcase classname="tests.test_app.TestHandlers" name="test_get" time="0.01"/>
<testcase classname="tests.test_app.TestHandlers" name="test_post" time="0.01"><failure message="assert 1 == 2">trace</failure></testcase>
<testcase classname="tests.test_app" name="test_skip"><skipped message="later"/></testcase>
<testcase classname="tests.test_db" name="test_conn"><error message="fixture">boom</error></testcase>
<testcase classname="" name="test_bare"/>
</testsuite></testsuites>`

func TestParse(t *testing.T) {
	s, err := Parse([]byte(pytestReport))
	if err != nil {
		t.Fatal(err)
	}
	want := Summary{Tests: 5, Failures: 1, Errors: 1, Skipped: 1,
		Failed: []string{"tests.test_app.TestHandlers::test_post", "tests.test_db::test_conn"}}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("Parse = %+v, want %+v", s, want)
	}
	if s.Passed() != 2 || s.String() != "2 passed, 1 failed, 1 errors, 1 skipped" {
		t.Errorf("Passed=%d String=%q", s.Passed(), s.String())
	}
}

func TestParseSingleSuiteRoot(t *testing.T) {
	s, err := Parse([]byte(`<testsuite><testcase name="a"/><testcase name="b"><failure/></testcase></testsuite>`))
	if err != nil {
		t.Fatal(err)
	}
	if s.Tests != 2 || s.Failures != 1 || s.Failed[0] != "b" {
		t.Errorf("got %+v", s)
	}
}

func TestParseBroken(t *testing.T) {
	if _, err := Parse([]byte("<testsuite><testcase")); err == nil {
		t.Fatal("want error for truncated XML")
	}
}

func TestParseFindings(t *testing.T) {
	text := "./app.py:3:1: F401 'os' imported but unused\nnoise line\nsrc/x.py:10:80: E501 line too long (90 > 79 characters)\n"
	got := ParseFindings(text)
	want := []Finding{
		{File: "app.py", Line: 3, Column: 1, Code: "F401", Message: "'os' imported but unused"},
		{File: "src/x.py", Line: 10, Column: 80, Code: "E501", Message: "line too long (90 > 79 characters)"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseFindings = %+v, want %+v", got, want)
	}
}

func TestLintReportRoundTrip(t *testing.T) {
	findings := ParseFindings("app.py:3:1: F401 'os' imported but unused\n")
	out, err := LintReport("flake8", findings)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if s.Tests != 1 || s.Failures != 1 || !strings.Contains(s.Failed[0], "F401 app.py:3:1") {
		t.Errorf("round trip = %+v\n%s", s, out)
	}
	clean, _ := LintReport("flake8", nil)
	if s, _ := Parse(clean); s.Tests != 1 || s.Failures != 0 {
		t.Errorf("clean report = %+v", s)
	}
}

func FuzzParseFindings(f *testing.F) {
	f.Add("a.py:1:2: E1 msg")
	f.Fuzz(func(t *testing.T, s string) {
		for _, fd := range ParseFindings(s) {
			if fd.Line < 0 || fd.Code == "" {
				t.Errorf("bad finding %+v", fd)
			}
		}
	})
}
