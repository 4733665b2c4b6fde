package shim

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// ref is what a CI knows about the pushed ref when it decides which jobs run.
type ref struct {
	Branch, Tag   string
	DefaultBranch string
	MergeRequest  bool
}

// gitlabVars are the predefined variables GitLab sets for r.
func (r ref) gitlabVars() map[string]string {
	v := map[string]string{"CI_DEFAULT_BRANCH": r.DefaultBranch, "CI_COMMIT_BRANCH": r.Branch, "CI_COMMIT_TAG": r.Tag}
	if r.MergeRequest {
		v["CI_PIPELINE_SOURCE"], v["CI_COMMIT_BRANCH"] = "merge_request_event", ""
	} else {
		v["CI_PIPELINE_SOURCE"] = "push"
	}
	return v
}

// gitRef is the full ref: refs/heads/BRANCH or refs/tags/TAG.
func (r ref) gitRef() string {
	if r.Tag != "" {
		return "refs/tags/" + r.Tag
	}
	return "refs/heads/" + r.Branch
}

var (
	gitlabCompare = regexp.MustCompile(`^\$(\w+) == (?:\$(\w+)|"([^"]*)")$`)
	gitlabMatch   = regexp.MustCompile(`^\$(\w+) =~ /(.*)/$`)
	gitlabSet     = regexp.MustCompile(`^\$(\w+)$`)
)

// evalGitLab evaluates a GitLab rules:if expression of the forms the shims
// use ($A == $B, $A == "x", $A =~ /re/, $A, joined by &&); another form
// fails the test, so that a new rule cannot go unchecked.
func evalGitLab(t *testing.T, expr string, vars map[string]string) bool {
	t.Helper()
	for _, part := range strings.Split(expr, " && ") {
		part = strings.TrimSpace(part)
		var ok bool
		switch {
		case gitlabCompare.MatchString(part):
			m := gitlabCompare.FindStringSubmatch(part)
			want := m[3]
			if m[2] != "" {
				want = vars[m[2]]
			}
			ok = vars[m[1]] == want
		case gitlabMatch.MatchString(part):
			m := gitlabMatch.FindStringSubmatch(part)
			ok = vars[m[1]] != "" && regexp.MustCompile(m[2]).MatchString(vars[m[1]]) // GitLab matches with RE2 too
		case gitlabSet.MatchString(part):
			ok = vars[gitlabSet.FindStringSubmatch(part)[1]] != ""
		default:
			t.Fatalf("gitlab rule %q: extend evalGitLab to read it", expr)
		}
		if !ok {
			return false
		}
	}
	return true
}

// evalExpr evaluates an Azure DevOps condition or a GitHub Actions if
// expression with the functions and operators the shims use (and, not, eq,
// startsWith, contains, format, succeeded, ==, &&, !); refs are looked up in
// vars by their text (github.ref, variables['Build.SourceBranch']).
// Comparisons ignore case, as both CIs' do. Anything else fails the test.
func evalExpr(t *testing.T, expr string, vars map[string]string) bool {
	t.Helper()
	p := &exprParser{t: t, src: expr, vars: vars}
	v := p.or()
	p.space()
	if p.pos != len(p.src) {
		t.Fatalf("expression %q: cannot read %q", expr, p.src[p.pos:])
	}
	b, ok := v.(bool)
	if !ok {
		t.Fatalf("expression %q is a string, not a condition", expr)
	}
	return b
}

type exprParser struct {
	t    *testing.T
	src  string
	pos  int
	vars map[string]string
}

func (p *exprParser) space() {
	for p.pos < len(p.src) && p.src[p.pos] == ' ' {
		p.pos++
	}
}

func (p *exprParser) eat(s string) bool {
	p.space()
	if strings.HasPrefix(p.src[p.pos:], s) {
		p.pos += len(s)
		return true
	}
	return false
}

func (p *exprParser) fail(format string, args ...any) {
	p.t.Helper()
	p.t.Fatalf("expression %q at %d: %s", p.src, p.pos, fmt.Sprintf(format, args...))
}

func (p *exprParser) or() any {
	v := p.unary()
	for p.eat("&&") {
		r := p.unary()
		v = truthy(v) && truthy(r)
	}
	return v
}

func (p *exprParser) unary() any {
	if p.eat("!") {
		return !truthy(p.unary())
	}
	v := p.primary()
	if p.eat("==") {
		return strings.EqualFold(fmt.Sprint(v), fmt.Sprint(p.primary()))
	}
	return v
}

func (p *exprParser) primary() any {
	p.space()
	if p.eat("(") {
		v := p.or()
		if !p.eat(")") {
			p.fail("missing )")
		}
		return v
	}
	if p.eat("'") {
		end := strings.IndexByte(p.src[p.pos:], '\'')
		if end < 0 {
			p.fail("unterminated string")
		}
		s := p.src[p.pos : p.pos+end]
		p.pos += end + 1
		return s
	}
	start := p.pos
	for p.pos < len(p.src) && (unicode.IsLetter(rune(p.src[p.pos])) || unicode.IsDigit(rune(p.src[p.pos])) || strings.ContainsRune("._", rune(p.src[p.pos]))) {
		p.pos++
	}
	name := p.src[start:p.pos]
	if name == "" {
		p.fail("expected a value")
	}
	if p.eat("(") {
		var args []any
		for !p.eat(")") {
			args = append(args, p.or())
			p.eat(",")
		}
		return p.call(name, args)
	}
	if p.eat("['") {
		end := strings.Index(p.src[p.pos:], "']")
		name += "['" + p.src[p.pos:p.pos+end] + "']"
		p.pos += end + 2
	}
	v, ok := p.vars[name]
	if !ok {
		p.fail("unknown value %s", name)
	}
	return v
}

func (p *exprParser) call(name string, args []any) any {
	s := func(i int) string { return strings.ToLower(fmt.Sprint(args[i])) }
	switch name {
	case "and":
		for _, a := range args {
			if !truthy(a) {
				return false
			}
		}
		return true
	case "not":
		return !truthy(args[0])
	case "succeeded":
		return true
	case "eq":
		return s(0) == s(1)
	case "startsWith":
		return strings.HasPrefix(s(0), s(1))
	case "contains":
		return strings.Contains(s(0), s(1))
	case "format":
		out := fmt.Sprint(args[0])
		for i, a := range args[1:] {
			out = strings.ReplaceAll(out, fmt.Sprintf("{%d}", i), fmt.Sprint(a))
		}
		return out
	}
	p.fail("unknown function %s", name)
	return nil
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return x != ""
	}
	return false
}

// runs reports whether job j runs for r, as its CI decides.
func runs(t *testing.T, k Kind, j job, r ref) bool {
	t.Helper()
	if j.When == "" {
		return true
	}
	switch k {
	case GitLab:
		return evalGitLab(t, j.When, r.gitlabVars())
	case Azure:
		return evalExpr(t, j.When, map[string]string{"variables['Build.SourceBranch']": r.gitRef()})
	case GitHub:
		return evalExpr(t, j.When, map[string]string{"github.ref": r.gitRef(), "github.event.repository.default_branch": r.DefaultBranch})
	}
	return false
}

// The evaluators can fail: they read the conditions as the CIs do.
func TestEvaluators(t *testing.T) {
	vars := map[string]string{"variables['Build.SourceBranch']": "refs/tags/v1.2.3", "github.ref": "refs/heads/Main", "github.event.repository.default_branch": "main"}
	for expr, want := range map[string]bool{
		"and(succeeded(), startsWith(variables['Build.SourceBranch'], 'refs/tags/v'))":           true,
		"and(succeeded(), not(contains(variables['Build.SourceBranch'], '.')))":                  false,
		"eq(variables['Build.SourceBranch'], 'REFS/TAGS/V1.2.3')":                                true,
		"github.ref == format('refs/heads/{0}', github.event.repository.default_branch)":         true,
		"startsWith(github.ref, 'refs/tags/v') && !contains(github.ref, '-')":                    false,
		"!startsWith(github.ref, 'refs/tags/v') && (contains(github.ref, 'a') && !eq('a', 'b'))": true,
	} {
		if got := evalExpr(t, expr, vars); got != want {
			t.Errorf("%s = %v, want %v", expr, got, want)
		}
	}
	gl := map[string]string{"CI_COMMIT_TAG": "v1.2.3-rc.1", "CI_COMMIT_BRANCH": "main", "CI_DEFAULT_BRANCH": "main"}
	for expr, want := range map[string]bool{
		`$CI_COMMIT_TAG =~ /^v[0-9]+\.[0-9]+\.[0-9]+$/`:  false,
		`$CI_COMMIT_TAG =~ /^v[0-9]+\.[0-9]+\.[0-9]+-/`:  true,
		`$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH`:        true,
		`$CI_COMMIT_BRANCH == "develop"`:                 false,
		`$CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS`:   false,
		`$CI_PIPELINE_SOURCE == "merge_request_event"`:   false,
		`$CI_COMMIT_TAG =~ /^v/ && $CI_COMMIT_BRANCH`:    true,
		`$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $NO`: false,
	} {
		if got := evalGitLab(t, expr, gl); got != want {
			t.Errorf("%s = %v, want %v", expr, got, want)
		}
	}
}
