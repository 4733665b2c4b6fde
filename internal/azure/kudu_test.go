package azure

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const kuduToken = "kudu-token-value"

var zipBytes = []byte("PK\x03\x04 fake zip package")

func zipdeployStep(status int, headers map[string]string, body string) step {
	return step{method: "POST", path: "/api/zipdeploy", query: q("isAsync", "true", "Deployer", Deployer), auth: "Bearer " + kuduToken,
		header: map[string]string{"Content-Type": "application/octet-stream"}, raw: zipBytes,
		status: status, headers: headers, body: body}
}

var statusQuery = q("deployer", "Push-Deployer", "time", "2024-05-01_10-00-00Z")

func statusStep(status int, body string) step {
	return step{method: "GET", path: "/api/deployments/latest", query: statusQuery, auth: "Bearer " + kuduToken, status: status, body: body}
}

var location = map[string]string{"Location": "{server}/api/deployments/latest?deployer=Push-Deployer&time=2024-05-01_10-00-00Z"}

func newKudu(f *fake) *Kudu {
	return &Kudu{BaseURL: f.URL(), Tokens: &tokens{token: kuduToken}, PollInterval: time.Millisecond}
}

func TestZipDeploySucceeds(t *testing.T) {
	f := newFake(t,
		zipdeployStep(202, location, ""),
		statusStep(202, kuduBuilding),
		statusStep(200, kuduSuccess),
	)
	d, err := newKudu(f).ZipDeploy(context.Background(), bytes.NewReader(zipBytes))
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != DeploySuccess || !d.Complete || d.ID != "0a1b2c3d" {
		t.Errorf("deployment %+v", d)
	}
}

func TestZipDeployFails(t *testing.T) {
	f := newFake(t, zipdeployStep(202, location, ""), statusStep(200, kuduFailed))
	_, err := newKudu(f).ZipDeploy(context.Background(), bytes.NewReader(zipBytes))
	mustContain(t, err, "Syncing function triggers failed", "/api/deployments/latest/log")
	if !errors.Is(err, ErrDeployFailed) {
		t.Errorf("error %v does not wrap ErrDeployFailed", err)
	}
}

func TestZipDeployErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   []string
	}{
		{"409 deployment in progress", 409, kuduInProgress, []string{"409 Conflict", "deployment currently in progress"}},
		{"401", 401, "", []string{"Kudu", "POST", "/api/zipdeploy", "401 Unauthorized"}},
		{"403 HTML page", 403, "<!DOCTYPE html><html><body>Forbidden</body></html>", []string{"403 Forbidden"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, zipdeployStep(tt.status, nil, tt.body))
			_, err := newKudu(f).ZipDeploy(context.Background(), bytes.NewReader(zipBytes))
			mustContain(t, err, tt.want...)
			mustNotLeak(t, err, kuduToken, "<html", "isAsync")
		})
	}
}

func TestZipDeployRefusesForeignStatusURL(t *testing.T) {
	f := newFake(t, zipdeployStep(202, map[string]string{"Location": "https://evil.example/api/deployments/latest"}, ""))
	_, err := newKudu(f).ZipDeploy(context.Background(), bytes.NewReader(zipBytes))
	mustContain(t, err, "another host", "evil.example")
}

// Without a Location, the status is read where az reads it after any
// push: /api/deployments/latest (azure-cli appservice/custom.py,
// enable_zip_deploy: deployment_status_url = scm_url + '/api/deployments/latest').
func TestZipDeployWithoutStatusURL(t *testing.T) {
	f := newFake(t, zipdeployStep(202, nil, ""),
		step{method: "GET", path: "/api/deployments/latest", auth: "Bearer " + kuduToken, body: kuduSuccess})
	d, err := newKudu(f).ZipDeploy(context.Background(), bytes.NewReader(zipBytes))
	if err != nil || d.Status != DeploySuccess {
		t.Errorf("deployment %+v, %v", d, err)
	}
}

func TestZipDeployTimesOut(t *testing.T) {
	var polls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			w.Header().Set("Location", "/api/deployments/latest")
			w.WriteHeader(http.StatusAccepted)
			return
		}
		polls.Add(1)
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte(strings.ReplaceAll(kuduBuilding, "{server}", "http://"+r.Host)))
	}))
	defer srv.Close()
	k := &Kudu{BaseURL: srv.URL, Tokens: &tokens{token: kuduToken}, PollInterval: time.Millisecond, Timeout: 100 * time.Millisecond}
	_, err := k.ZipDeploy(context.Background(), bytes.NewReader(zipBytes))
	mustContain(t, err, "not finished after 100ms", "status building")
	if polls.Load() < 2 {
		t.Errorf("polled %d times, want several", polls.Load())
	}
}

func TestZipDeployBadBaseURL(t *testing.T) {
	_, err := (&Kudu{BaseURL: "not a url", Tokens: &tokens{}}).ZipDeploy(context.Background(), bytes.NewReader(nil))
	mustContain(t, err, "scm URL")
	if got := NewKudu("shop.scm.azurewebsites.net", nil).BaseURL; got != "https://shop.scm.azurewebsites.net" {
		t.Errorf("NewKudu base %q", got)
	}
}
