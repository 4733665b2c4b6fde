package azure

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/onepipe/onepipe/internal/arm"
)

const (
	pat      = "patvalue52charsxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	adoToken = "system-access-token"
)

var (
	patAuth   = "Basic " + base64.StdEncoding.EncodeToString([]byte(":"+pat))
	suppress  = map[string]string{"X-TFS-FedAuthRedirect": "Suppress"}
	adoAPI    = q("api-version", DevOpsAPIVersion)
	pipelines = "/acme/shop/_apis/pipelines"
)

func newDevOps(f *fake) *DevOps {
	return &DevOps{BaseURL: f.URL(), Organization: "acme", Project: "shop", PAT: PlainSecret(pat), PollInterval: time.Millisecond}
}

func listStep(status int, body string) step {
	return step{method: "GET", path: pipelines, query: adoAPI, auth: patAuth, header: suppress, status: status, body: body}
}

func TestFindPipeline(t *testing.T) {
	tests := []struct {
		name   string
		wantID int
		err    []string
	}{
		{"build", 8, nil},
		{"BUILD", 8, nil},
		{`\infra\deploy`, 7, nil},
		{"legacy/deploy", 9, nil},
		{"deploy", 0, []string{`2 pipelines are named "deploy"`, `\infra\deploy`, `\legacy\deploy`, "name the folder"}},
		{"release", 0, []string{`pipeline "release" not found in acme/shop`, "it has 3: deploy, build, deploy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, listStep(200, devopsPipelines))
			p, err := newDevOps(f).FindPipeline(context.Background(), tt.name)
			if tt.err != nil {
				mustContain(t, err, tt.err...)
				return
			}
			if err != nil || p.ID != tt.wantID {
				t.Errorf("FindPipeline(%q) = %+v, %v; want id %d", tt.name, p, err, tt.wantID)
			}
		})
	}
}

func TestFindPipelineFollowsContinuationToken(t *testing.T) {
	first := listStep(200, `{"count":1,"value":[{"id":1,"name":"lint","folder":"\\"}]}`)
	first.headers = map[string]string{"X-MS-ContinuationToken": "page2"}
	second := listStep(200, `{"count":1,"value":[{"id":2,"name":"deploy","folder":"\\"}]}`)
	second.query = q("api-version", DevOpsAPIVersion, "continuationToken", "page2")
	f := newFake(t, first, second)
	p, err := newDevOps(f).FindPipeline(context.Background(), "deploy")
	if err != nil || p.ID != 2 {
		t.Fatalf("got %+v, %v", p, err)
	}
}

func TestRunPipeline(t *testing.T) {
	f := newFake(t, step{method: "POST", path: pipelines + "/7/runs", query: adoAPI, auth: patAuth, header: suppress,
		json: `{"resources":{"repositories":{"self":{"refName":"refs/heads/main"}}},"templateParameters":{"env":"prod","region":"westeurope"}}`,
		body: devopsRunQueued})
	run, err := newDevOps(f).RunPipeline(context.Background(), 7, "main", map[string]string{"env": "prod", "region": "westeurope"})
	if err != nil {
		t.Fatal(err)
	}
	want := Run{ID: 1234, Name: "20240501.1", PipelineID: 7, State: "inProgress", WebURL: "https://dev.azure.com/acme/6f1e/_build/results?buildId=1234"}
	if run != want {
		t.Errorf("run %+v, want %+v", run, want)
	}
}

func TestRunPipelineWithOAuthTokenOnATag(t *testing.T) {
	f := newFake(t, step{method: "POST", path: pipelines + "/7/runs", query: adoAPI, auth: "Bearer " + adoToken, header: suppress,
		json: `{"resources":{"repositories":{"self":{"refName":"refs/tags/v1.2.3"}}}}`, body: devopsRunQueued})
	d := newDevOps(f)
	d.PAT, d.Token = nil, StaticToken{Secret: PlainSecret(adoToken)}
	if _, err := d.RunPipeline(context.Background(), 7, "refs/tags/v1.2.3", nil); err != nil {
		t.Fatal(err)
	}
}

func TestDevOpsErrors(t *testing.T) {
	run := func(status int, body string, headers map[string]string) step {
		return step{method: "POST", path: pipelines + "/99/runs", query: adoAPI, auth: patAuth, header: suppress,
			json: `{"resources":{"repositories":{"self":{"refName":"refs/heads/main"}}}}`, status: status, body: body, headers: headers}
	}
	tests := []struct {
		name string
		step step
		want []string
	}{
		{"404 pipeline not found", run(404, devopsPipelineNotFound, nil), []string{"run pipeline 99 on refs/heads/main", "404", "PipelineNotFoundException", "Pipeline with id 99 not found."}},
		{"400 bad parameter", run(400, devopsBadParameter, nil), []string{"400", "PipelineValidationException", "Unexpected parameter 'envv'"}},
		{"401 expired PAT", run(401, "", map[string]string{"X-TFS-ServiceError": devopsExpiredPATHeader}), []string{"401", "The Personal Access Token used has expired.", "credentials were refused"}},
		{"203 sign-in page", run(203, "<html><body>Sign in</body></html>", nil), []string{"203 Non-Authoritative Information", "credentials were refused"}},
		{"409", run(409, `{"message":"The pipeline is disabled.","typeKey":"DefinitionDisabledException"}`, nil), []string{"409", "DefinitionDisabledException"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.step)
			_, err := newDevOps(f).RunPipeline(context.Background(), 99, "main", nil)
			mustContain(t, err, tt.want...)
			mustNotLeak(t, err, pat, patAuth[len("Basic "):])
		})
	}
}

func TestFindPipelineProjectNotFound(t *testing.T) {
	f := newFake(t, listStep(404, devopsProjectNotFound))
	_, err := newDevOps(f).FindPipeline(context.Background(), "deploy")
	mustContain(t, err, `find pipeline "deploy"`, "404", "ProjectDoesNotExistWithNameException", "TF200016")
}

func TestEchoedPATIsRedacted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"message":"refused ` + r.Header.Get("Authorization") + ` ` + pat + `","typeKey":"UnauthorizedRequestException"}`))
	}))
	defer srv.Close()
	d := &DevOps{BaseURL: srv.URL, Organization: "acme", Project: "shop", PAT: PlainSecret(pat)}
	_, err := d.FindPipeline(context.Background(), "deploy")
	mustContain(t, err, "UnauthorizedRequestException", "***")
	mustNotLeak(t, err, pat, patAuth[len("Basic "):])
}

func TestWaitRun(t *testing.T) {
	get := func(body string) step {
		return step{method: "GET", path: pipelines + "/7/runs/1234", query: adoAPI, auth: patAuth, body: body}
	}
	f := newFake(t, get(devopsRunQueued), get(devopsRunSucceeded))
	run, err := newDevOps(f).WaitRun(context.Background(), 7, 1234, time.Minute)
	if err != nil || run.Result != "succeeded" {
		t.Fatalf("got %+v, %v", run, err)
	}

	f = newFake(t, get(devopsRunFailed))
	_, err = newDevOps(f).WaitRun(context.Background(), 7, 1234, time.Minute)
	mustContain(t, err, "20240501.1", "failed", "buildId=1234")
	if !errors.Is(err, ErrRunFailed) {
		t.Errorf("error %v does not wrap ErrRunFailed", err)
	}
}

func TestWaitRunTimesOut(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(devopsRunQueued))
	}))
	defer srv.Close()
	d := &DevOps{BaseURL: srv.URL, Organization: "acme", Project: "shop", PAT: PlainSecret(pat), PollInterval: time.Millisecond}
	_, err := d.WaitRun(context.Background(), 7, 1234, 50*time.Millisecond)
	mustContain(t, err, "still inProgress after 50ms", "buildId=1234")
}

func TestPATWarning(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		expires string
		want    string
	}{
		{"", ""},
		{"2024-06-30", ""},
		{"2024-05-10", "expires on 2024-05-10 (in 9 days)"},
		{"2024-04-30", "expired on 2024-04-30"},
	}
	for _, tt := range tests {
		d := &DevOps{PAT: PlainSecret(pat), Now: func() time.Time { return now }}
		if tt.expires != "" {
			d.PATExpires, _ = time.Parse(time.DateOnly, tt.expires)
		}
		got := d.PATWarning()
		if (tt.want == "") != (got == "") || (tt.want != "" && !strings.Contains(got, tt.want)) {
			t.Errorf("PATWarning(%s) = %q, want %q", tt.expires, got, tt.want)
		}
	}
	var warned []string
	f := newFake(t, step{method: "POST", path: pipelines + "/7/runs", query: adoAPI, auth: patAuth, json: `{}`, body: devopsRunQueued})
	d := newDevOps(f)
	d.PATExpires, d.Now = now.Add(48*time.Hour), func() time.Time { return now }
	d.Warn = func(s string) { warned = append(warned, s) }
	if _, err := d.RunPipeline(context.Background(), 7, "", nil); err != nil {
		t.Fatal(err)
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "in 2 days") {
		t.Errorf("warnings %q", warned)
	}
}

// TestRunPipelineWithVariables: queue-time variables go in the body beside
// templateParameters, each as {value, isSecret} (Runs - Run Pipeline,
// RunPipelineParameters.variables: <string, Variable>,
// learn.microsoft.com/rest/api/azure/devops/pipelines/runs/run-pipeline?view=azure-devops-rest-7.1).
func TestRunPipelineWithVariables(t *testing.T) {
	f := newFake(t, step{method: "POST", path: pipelines + "/7/runs", query: adoAPI, auth: patAuth, header: suppress,
		json: `{"resources":{"repositories":{"self":{"refName":"refs/heads/main"}}},"templateParameters":{"env":"prod"},
			"variables":{"imageTag":{"value":"1a2b3c4d","isSecret":false},"region":{"value":"westeurope","isSecret":false}}}`,
		body: devopsRunQueued})
	_, err := newDevOps(f).RunPipelineWith(context.Background(), 7, RunRequest{Branch: "main",
		Parameters: map[string]string{"env": "prod"}, Variables: map[string]string{"imageTag": "1a2b3c4d", "region": "westeurope"}})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRunPipelineRefusedShowsTheReasons: a run the service refuses comes
// back with the reasons it gives, not only its "Could not queue the build
// because there were validation errors or warnings."
func TestRunPipelineRefusedShowsTheReasons(t *testing.T) {
	f := newFake(t, step{method: "POST", path: pipelines + "/7/runs", query: adoAPI, auth: patAuth, header: suppress,
		json:   `{"resources":{"repositories":{"self":{"refName":"refs/heads/main"}}},"variables":{"imageTag":{"value":"1a2b3c4d","isSecret":false}}}`,
		status: 400, body: devopsRunRefused})
	_, err := newDevOps(f).RunPipelineWith(context.Background(), 7, RunRequest{Branch: "main", Variables: map[string]string{"imageTag": "1a2b3c4d"}})
	want := "run pipeline 7 on refs/heads/main: Azure DevOps: POST " + f.URL() + pipelines + "/7/runs: 400 Bad Request: BuildRequestValidationFailedException: " +
		"Could not queue the build because there were validation errors or warnings: " +
		"Variable 'imageTag' cannot be set at queue time: it is not settable at queue time.; Could not find a pool with name Linux-Big."
	if err == nil || err.Error() != want {
		t.Errorf("error\n got %v\nwant %s", err, want)
	}
	if arm.StatusOf(err) != 400 {
		t.Errorf("error %v is no *arm.APIError", err)
	}
	mustNotLeak(t, err, pat)
}
