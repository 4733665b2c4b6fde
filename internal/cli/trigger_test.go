package cli

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeDevOps answers the three Azure DevOps calls a trigger makes and checks
// their shape; the run it queues ends with result.
func fakeDevOps(t *testing.T, pat, result string) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got, want := r.Header.Get("Authorization"), "Basic "+base64.StdEncoding.EncodeToString([]byte(":"+pat)); got != want {
			w.WriteHeader(401)
			w.Write([]byte(`{"message":"TF400813: The user is not authorized to access this resource.","typeKey":"UnauthorizedRequestException"}`))
			return
		}
		if r.URL.Query().Get("api-version") == "" {
			t.Errorf("%s %s without api-version", r.Method, r.URL)
		}
		switch {
		case r.Method == "GET" && r.URL.Path == "/acme/shop/_apis/pipelines":
			w.Write([]byte(`{"count":2,"value":[{"id":3,"name":"build","folder":"\\"},{"id":7,"name":"deploy-shop","folder":"\\"}]}`))
		case r.Method == "POST" && r.URL.Path == "/acme/shop/_apis/pipelines/7/runs":
			var body struct {
				Resources struct {
					Repositories map[string]struct{ RefName string } `json:"repositories"`
				} `json:"resources"`
				TemplateParameters map[string]string `json:"templateParameters"`
			}
			json.NewDecoder(r.Body).Decode(&body)
			if ref := body.Resources.Repositories["self"].RefName; ref != "refs/heads/release" {
				t.Errorf("refName = %q", ref)
			}
			if body.TemplateParameters["environment"] != "dev" {
				t.Errorf("templateParameters = %v", body.TemplateParameters)
			}
			w.Write([]byte(`{"id":42,"name":"20261122.1","state":"inProgress","_links":{"web":{"href":"https://dev.azure.com/acme/shop/_build/results?buildId=42"}}}`))
		case r.Method == "GET" && r.URL.Path == "/acme/shop/_apis/pipelines/7/runs/42":
			w.Write([]byte(`{"id":42,"name":"20261122.1","state":"completed","result":"` + result + `","_links":{"web":{"href":"https://dev.azure.com/acme/shop/_build/results?buildId=42"}}}`))
		default:
			w.WriteHeader(404)
			w.Write([]byte(`{"message":"not found","typeKey":"NotFound"}`))
		}
	}))
}

func TestTriggerAzureDevOps(t *testing.T) {
	const pat = "pat-secret-value-123"
	tests := []struct {
		name, result string
		extra        []string
		code         int
		out, err     string
	}{
		{"queue only", "succeeded", nil, 0, "queued run 42 of deploy-shop on release", ""},
		{"wait succeeded", "succeeded", []string{"--wait"}, 0, "run 42 completed: succeeded", ""},
		{"wait failed mirrors the result", "failed", []string{"--wait"}, 1, "run 42 completed: failed", "failed"},
		{"unknown pipeline", "succeeded", []string{"--pipeline", "nope"}, 1, "", "nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := fakeDevOps(t, pat, tt.result)
			defer srv.Close()
			args := append([]string{"trigger", "azure-devops", "--source", t.TempDir(), "--url", srv.URL, "--organization", "acme", "--project", "shop",
				"--pipeline", "deploy-shop", "--branch", "release", "--param", "environment=dev", "--pat", "env:ADO_PAT"}, tt.extra...)
			r := run(t, map[string]string{"ADO_PAT": pat}, args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d: %s", r.code, tt.code, r.err)
			}
			if !strings.Contains(r.out, tt.out) || !strings.Contains(r.err, tt.err) {
				t.Errorf("stdout %q / stderr %q, want %q / %q", r.out, r.err, tt.out, tt.err)
			}
			if strings.Contains(r.out+r.err, pat) {
				t.Error("PAT printed")
			}
		})
	}
}

func TestTriggerAzureDevOpsBadInput(t *testing.T) {
	srv := fakeDevOps(t, "right", "succeeded")
	defer srv.Close()
	base := []string{"trigger", "azure-devops", "--source", t.TempDir(), "--url", srv.URL}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"missing settings", nil, []string{"--pat", "env:X"}, ExitUsage, "needs --organization, --pipeline, --project"},
		{"unset PAT", nil, []string{"--organization", "acme", "--project", "shop", "--pipeline", "p", "--branch", "b", "--pat", "env:NOPE"}, ExitUsage, "secret env:NOPE is not set"},
		{"refused PAT", map[string]string{"P": "wrong"}, []string{"--organization", "acme", "--project", "shop", "--pipeline", "p", "--branch", "b", "--pat", "env:P"}, ExitFailed, "401"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.env, append(append([]string{}, base...), tt.args...)...)
			if r.code != tt.code || !strings.Contains(r.err, tt.want) {
				t.Errorf("exit %d stderr %q, want %d and %q", r.code, r.err, tt.code, tt.want)
			}
		})
	}
}

func TestDeployAzureFunctionBadInput(t *testing.T) {
	tests := []struct {
		name, app string
		args      []string
		want      string
	}{
		{"no function app configured", "tornado", nil, "no Function App in"},
		{"federated token unset", "azure-function", nil, "secret env:AZURE_FEDERATED_TOKEN is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, nil, append([]string{"deploy", "azure-function", "--source", exampleDir(t, tt.app)}, tt.args...)...)
			if r.code != ExitUsage || !strings.Contains(r.err, tt.want) {
				t.Errorf("exit %d stderr %q, want %d and %q", r.code, r.err, ExitUsage, tt.want)
			}
		})
	}
}

// TestTriggerAzureDevOpsRefusesPlainHTTP checks that the PAT never goes over
// plain http to another machine, nor into a URL: the command stops with a
// usage error before any request (a request to ado.invalid would fail with
// exit 1, and the fake servers of the other tests are on loopback, which
// stays allowed).
func TestTriggerAzureDevOpsRefusesPlainHTTP(t *testing.T) {
	const pat = "pat-secret-value-123"
	flags := []string{"--organization", "acme", "--project", "shop", "--pipeline", "deploy-shop", "--branch", "main", "--pat", "env:ADO_PAT"}
	fromFile := t.TempDir()
	if err := os.WriteFile(filepath.Join(fromFile, "onepipe.yaml"), []byte("app: shop\nazure:\n  devops:\n    url: http://ado.invalid/tfs\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"--url over http", []string{"--source", t.TempDir(), "--url", "http://ado.invalid/tfs"},
			`--url "http://ado.invalid/tfs": use an https URL, e.g. https://dev.azure.com: plain http would carry the credentials unencrypted`},
		{"--url with a password", []string{"--source", t.TempDir(), "--url", "https://me:" + pat + "@ado.invalid/tfs"},
			"--url: remove the user and password from the URL"},
		{"azure.devops.url over http", []string{"--source", fromFile},
			`azure.devops.url "http://ado.invalid/tfs": use an https URL`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, map[string]string{"ADO_PAT": pat}, append(append([]string{"trigger", "azure-devops"}, tt.args...), flags...)...)
			if r.code != ExitUsage || !strings.Contains(r.err, tt.want) {
				t.Errorf("exit %d stderr %q, want %d and %q", r.code, r.err, ExitUsage, tt.want)
			}
			if strings.Contains(r.out+r.err, pat) {
				t.Error("PAT printed")
			}
		})
	}
}
