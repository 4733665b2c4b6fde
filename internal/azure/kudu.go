package azure

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/onepipe/onepipe/internal/arm"
)

// Kudu deployment statuses (the status field of a deployment).
const (
	DeployPending   = 0
	DeployBuilding  = 1
	DeployDeploying = 2
	DeployFailed    = 3
	DeploySuccess   = 4
)

// Kudu is the deployment service of one app: its scm site.
type Kudu struct {
	// BaseURL is the scm site, e.g. https://shop.scm.azurewebsites.net (see Site.SCMHostName).
	BaseURL string
	// Tokens gives bearer tokens; the scm site accepts arm.Scope tokens.
	Tokens arm.TokenSource
	// HTTP is the client requests go through (http.DefaultClient if nil).
	HTTP *http.Client
	// PollInterval is the wait between two status reads (default 2s).
	PollInterval time.Duration
	// Timeout bounds the whole deployment (default 10m).
	Timeout time.Duration
}

// NewKudu returns the Kudu client of the scm host (as Site.SCMHostName gives it).
func NewKudu(scmHost string, tokens arm.TokenSource) *Kudu {
	return &Kudu{BaseURL: "https://" + scmHost, Tokens: tokens}
}

// Deployment is Kudu's view of one deployment.
type Deployment struct {
	ID         string `json:"id"`
	Status     int    `json:"status"`
	StatusText string `json:"status_text"`
	Complete   bool   `json:"complete"`
	Message    string `json:"message"`
	LogURL     string `json:"log_url"`
}

// ErrDeployFailed is wrapped by ZipDeploy errors when Kudu reports the deployment failed.
var ErrDeployFailed = errors.New("deployment failed")

// Deployer is how onepipe names itself to Kudu (the deployment's
// "deployer", shown in the app's Deployment Center).
const Deployer = "onepipe"

// latestDeployment is the status URL of the running deployment, which az
// polls after any push (azure-cli appservice/custom.py: enable_zip_deploy
// and enable_zip_deploy_flex poll scm_url + '/api/deployments/latest').
const latestDeployment = "/api/deployments/latest"

// ZipDeploy uploads the zip package the way az does on every plan but Flex
// and Linux Consumption (POST /api/zipdeploy?isAsync=true&Deployer=...,
// application/octet-stream; azure-cli appservice/custom.py,
// enable_zip_deploy) and polls the deployment's status until it succeeds,
// fails, or Timeout passes. The upload is never retried: Kudu answers 409
// when a deployment is running or when WEBSITE_RUN_FROM_PACKAGE holds a URL
// (KuduLite Kudu.Core/Deployment/FetchDeploymentManager.cs,
// ConflictRunFromRemoteZipConfigured), and the error carries its reason.
func (k *Kudu) ZipDeploy(ctx context.Context, zip io.Reader) (Deployment, error) {
	return k.push(ctx, "zip deploy", "/api/zipdeploy", url.Values{"isAsync": {"true"}, "Deployer": {Deployer}}, "application/octet-stream", zip)
}

// Publish uploads the zip package to a Flex Consumption app, which has no
// /api/zipdeploy: POST /api/publish?RemoteBuild=false&Deployer=... with
// application/zip, as az does there (azure-cli appservice/custom.py,
// enable_zip_deploy_flex). RemoteBuild=false: the package holds its
// dependencies already (built for linux/amd64), so nothing is built on
// Azure. Then it polls the deployment's status like ZipDeploy.
func (k *Kudu) Publish(ctx context.Context, zip io.Reader) (Deployment, error) {
	return k.push(ctx, "publish", "/api/publish", url.Values{"RemoteBuild": {"false"}, "Deployer": {Deployer}}, "application/zip", zip)
}

// push uploads zip to path and follows the deployment; what names the
// upload in errors.
func (k *Kudu) push(ctx context.Context, what, path string, query url.Values, contentType string, zip io.Reader) (Deployment, error) {
	base, err := url.Parse(strings.TrimSuffix(k.BaseURL, "/"))
	if err != nil || base.Host == "" {
		return Deployment{}, fmt.Errorf("%s: scm URL %q: use https://<app>.scm.azurewebsites.net", what, k.BaseURL)
	}
	data, err := io.ReadAll(zip)
	if err != nil {
		return Deployment{}, fmt.Errorf("%s to %s: read package: %w", what, base.Host, err)
	}
	timeout := k.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	token, err := k.token(ctx)
	if err != nil {
		return Deployment{}, err
	}
	resp, err := arm.Send(ctx, k.HTTP, arm.Request{
		Service: serviceKudu, Method: http.MethodPost, URL: base.String() + path + "?" + query.Encode(),
		Header: arm.Bearer(token), Body: data, ContentType: contentType, Secrets: []string{token},
		OK: []int{http.StatusOK, http.StatusAccepted},
	})
	if err != nil {
		if arm.StatusOf(err) == http.StatusConflict {
			return Deployment{}, fmt.Errorf("%s to %s: %w (wait for the running deployment, or delete WEBSITE_RUN_FROM_PACKAGE if it holds a URL)", what, base.Host, err)
		}
		return Deployment{}, fmt.Errorf("%s to %s: %w", what, base.Host, err)
	}
	if resp.Status == http.StatusOK {
		return Deployment{Status: DeploySuccess, Complete: true}, nil
	}
	status := base.String() + latestDeployment
	if l := resp.Header.Get("Location"); l != "" {
		loc, err := base.Parse(l)
		if err != nil {
			return Deployment{}, fmt.Errorf("%s to %s: Kudu answered with a status URL that is not a URL", what, base.Host)
		}
		if !strings.EqualFold(loc.Host, base.Host) {
			return Deployment{}, fmt.Errorf("%s to %s: status URL is on another host (%s): not sending the token there", what, base.Host, loc.Host)
		}
		status = loc.String()
	}
	return k.wait(ctx, what, base.Host, status, timeout)
}

// Settings reads the app settings as the scm site sees them (GET
// /api/settings): after a change through ARM the scm site restarts and
// sees it a little later, which az waits for before it uploads
// (azure-cli appservice/custom.py, validate_app_settings_in_scm).
func (k *Kudu) Settings(ctx context.Context) (map[string]string, error) {
	base := strings.TrimSuffix(k.BaseURL, "/")
	token, err := k.token(ctx)
	if err != nil {
		return nil, err
	}
	resp, err := arm.Send(ctx, k.HTTP, arm.Request{Service: serviceKudu, Method: http.MethodGet, URL: base + "/api/settings",
		Header: arm.Bearer(token), Secrets: []string{token}, OK: []int{http.StatusOK}})
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	if err := decode(serviceKudu, resp, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// wait polls the deployment status URL.
func (k *Kudu) wait(ctx context.Context, what, host, statusURL string, timeout time.Duration) (Deployment, error) {
	interval := k.PollInterval
	if interval <= 0 {
		interval = 2 * time.Second
	}
	var d Deployment
	for {
		token, err := k.token(ctx)
		if err != nil {
			return d, err
		}
		resp, err := arm.Send(ctx, k.HTTP, arm.Request{
			Service: serviceKudu, Method: http.MethodGet, URL: statusURL, Header: arm.Bearer(token),
			Secrets: []string{token}, OK: []int{http.StatusOK, http.StatusAccepted},
		})
		if err != nil {
			if ctx.Err() != nil {
				return d, deployTimeout(what, host, d, timeout)
			}
			return d, fmt.Errorf("%s to %s: read status: %w", what, host, err)
		}
		if len(strings.TrimSpace(string(resp.Body))) > 0 {
			if err := decode(serviceKudu, resp, &d); err != nil {
				return d, err
			}
		}
		switch {
		case d.Status == DeploySuccess:
			return d, nil
		case d.Status == DeployFailed || d.Complete:
			msg := d.StatusText
			if msg == "" {
				msg = d.Message
			}
			err := fmt.Errorf("%s to %s: %w: %s", what, host, ErrDeployFailed, arm.OneLine(msg, 300))
			if d.LogURL != "" {
				err = fmt.Errorf("%w (log: %s)", err, arm.CleanURL(d.LogURL))
			}
			return d, err
		}
		if arm.Sleep(ctx, interval) != nil {
			return d, deployTimeout(what, host, d, timeout)
		}
	}
}

func deployTimeout(what, host string, d Deployment, timeout time.Duration) error {
	return fmt.Errorf("%s to %s: not finished after %s (status %s): raise azure.functionZip.timeout or look at the app's Deployment Center", what, host, timeout, deployStatusName(d.Status))
}

func deployStatusName(s int) string {
	switch s {
	case DeployPending:
		return "pending"
	case DeployBuilding:
		return "building"
	case DeployDeploying:
		return "deploying"
	case DeployFailed:
		return "failed"
	case DeploySuccess:
		return "success"
	}
	return fmt.Sprint(s)
}

func (k *Kudu) token(ctx context.Context) (string, error) {
	if k.Tokens == nil {
		return "", fmt.Errorf("%s: no credentials: set azure.clientId and azure.clientSecret or azure.federatedToken", serviceKudu)
	}
	return k.Tokens.Token(ctx, arm.Scope)
}
