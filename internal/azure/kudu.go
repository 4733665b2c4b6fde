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

// ZipDeploy uploads the zip package (POST /api/zipdeploy?isAsync=true) and
// polls the deployment status URL Kudu answers with until the deployment
// succeeds, fails, or Timeout passes. The upload is never retried: a 409
// means another deployment is running.
func (k *Kudu) ZipDeploy(ctx context.Context, zip io.Reader) (Deployment, error) {
	base, err := url.Parse(strings.TrimSuffix(k.BaseURL, "/"))
	if err != nil || base.Host == "" {
		return Deployment{}, fmt.Errorf("zip deploy: scm URL %q: use https://<app>.scm.azurewebsites.net", k.BaseURL)
	}
	data, err := io.ReadAll(zip)
	if err != nil {
		return Deployment{}, fmt.Errorf("zip deploy to %s: read package: %w", base.Host, err)
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
		Service: serviceKudu, Method: http.MethodPost, URL: base.String() + "/api/zipdeploy?isAsync=true",
		Header: arm.Bearer(token), Body: data, ContentType: "application/octet-stream", Secrets: []string{token},
		OK: []int{http.StatusOK, http.StatusAccepted},
	})
	if err != nil {
		return Deployment{}, fmt.Errorf("zip deploy to %s: %w", base.Host, err)
	}
	if resp.Status == http.StatusOK {
		return Deployment{Status: DeploySuccess, Complete: true}, nil
	}
	loc, err := base.Parse(resp.Header.Get("Location"))
	if err != nil || resp.Header.Get("Location") == "" {
		return Deployment{}, fmt.Errorf("zip deploy to %s: Kudu accepted the package but sent no status URL (Location)", base.Host)
	}
	if !strings.EqualFold(loc.Host, base.Host) {
		return Deployment{}, fmt.Errorf("zip deploy to %s: status URL is on another host (%s): not sending the token there", base.Host, loc.Host)
	}
	return k.wait(ctx, base.Host, loc.String(), timeout)
}

// wait polls the deployment status URL.
func (k *Kudu) wait(ctx context.Context, host, statusURL string, timeout time.Duration) (Deployment, error) {
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
				return d, deployTimeout(host, d, timeout)
			}
			return d, fmt.Errorf("zip deploy to %s: read status: %w", host, err)
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
			err := fmt.Errorf("zip deploy to %s: %w: %s", host, ErrDeployFailed, arm.OneLine(msg, 300))
			if d.LogURL != "" {
				err = fmt.Errorf("%w (log: %s)", err, arm.CleanURL(d.LogURL))
			}
			return d, err
		}
		if arm.Sleep(ctx, interval) != nil {
			return d, deployTimeout(host, d, timeout)
		}
	}
}

func deployTimeout(host string, d Deployment, timeout time.Duration) error {
	return fmt.Errorf("zip deploy to %s: not finished after %s (status %s): raise azure.functionZip.timeout or look at the app's Deployment Center", host, timeout, deployStatusName(d.Status))
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
