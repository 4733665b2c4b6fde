package cli

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTriggerSendsVariablesAndShowsWhyARunIsRefused: azure.devops.variables
// reach the run as queue-time variables ({value, isSecret}), and a run the
// service refuses ends with its reasons, on one line.
func TestTriggerSendsVariablesAndShowsWhyARunIsRefused(t *testing.T) {
	var got map[string]map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == "GET" && r.URL.Path == "/acme/shop/_apis/pipelines":
			w.Write([]byte(`{"count":1,"value":[{"id":7,"name":"deploy-shop","folder":"\\"}]}`))
		case r.Method == "POST" && r.URL.Path == "/acme/shop/_apis/pipelines/7/runs":
			var body struct {
				Variables map[string]map[string]any `json:"variables"`
			}
			json.NewDecoder(r.Body).Decode(&body)
			got = body.Variables
			w.WriteHeader(400)
			w.Write([]byte(`{"$id":"1","customProperties":{"ValidationResults":[{"result":"error","message":"Variable imageTag cannot be set at queue time."}]},"message":"Could not queue the build because there were validation errors or warnings.","typeKey":"BuildRequestValidationFailedException","errorCode":0,"eventId":3000}`))
		default:
			w.WriteHeader(404)
		}
	}))
	defer srv.Close()
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "onepipe.yaml"), []byte(`azure:
  devops:
    url: `+srv.URL+`
    organization: acme
    project: shop
    pipeline: deploy-shop
    branch: main
    pat: env:ADO_PAT
    variables: {imageTag: 1a2b3c4d}
`), 0o644)
	r := run(t, map[string]string{"ADO_PAT": "pat-secret-value-123"}, "trigger", "azure-devops", "--source", src)
	if r.code != ExitFailed {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	if v := got["imageTag"]; v["value"] != "1a2b3c4d" || v["isSecret"] != false {
		t.Errorf("variables sent %v", got)
	}
	if lines := strings.Split(strings.TrimSpace(r.err), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "Variable imageTag cannot be set at queue time.") {
		t.Errorf("stderr %q", r.err)
	}
}
