package azure

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/onepipe/onepipe/internal/arm"
)

// DefaultDevOpsURL is Azure DevOps Services.
const DefaultDevOpsURL = "https://dev.azure.com"

// DevOpsAPIVersion is the Azure DevOps REST api-version requests use.
const DevOpsAPIVersion = "7.1"

// PATWarnBefore is how long before a PAT's expiry onepipe starts warning.
const PATWarnBefore = 14 * 24 * time.Hour

// DevOps is an Azure DevOps Pipelines client for one project.
type DevOps struct {
	// BaseURL is the service (DefaultDevOpsURL if empty).
	BaseURL      string
	Organization string
	Project      string
	// PAT is a personal access token, sent as HTTP Basic with an empty user.
	PAT Secret
	// Token gives OAuth bearer tokens (a StaticToken of $SYSTEM_ACCESSTOKEN,
	// or a *Credential with ScopeDevOps); used when PAT is nil.
	Token arm.TokenSource
	// PATExpires is the PAT's expiry date when the user declared it; Azure
	// DevOps itself does not tell a PAT's holder when it expires.
	PATExpires time.Time
	// Warn receives warnings (nil drops them).
	Warn func(string)
	// HTTP is the client requests go through (http.DefaultClient if nil).
	HTTP *http.Client
	// PollInterval is the wait between two reads of a run (default 10s).
	PollInterval time.Duration
	// Now is the clock (time.Now if nil).
	Now func() time.Time
}

// Pipeline is a pipeline definition.
type Pipeline struct {
	ID     int    `json:"id"`
	Name   string `json:"name"`
	Folder string `json:"folder"`
}

// Run is one run of a pipeline.
type Run struct {
	ID         int
	Name       string
	PipelineID int
	// State is inProgress, canceling, completed or unknown.
	State string
	// Result is succeeded, failed, canceled or unknown once State is completed.
	Result string
	// WebURL is the run's page.
	WebURL string
}

// ErrRunFailed is wrapped by WaitRun errors for a run that finished without succeeding.
var ErrRunFailed = errors.New("pipeline run did not succeed")

// FindPipeline finds a pipeline by name; "\folder\name" (or "folder/name")
// picks one of several pipelines of the same name in different folders.
func (d *DevOps) FindPipeline(ctx context.Context, name string) (Pipeline, error) {
	folder, base := splitPipelineName(name)
	var matches, all []Pipeline
	token := ""
	for page := 0; page < 50; page++ {
		q := url.Values{}
		if token != "" {
			q.Set("continuationToken", token)
		}
		resp, err := d.do(ctx, http.MethodGet, "/pipelines", q, nil)
		if err != nil {
			return Pipeline{}, fmt.Errorf("find pipeline %q: %w", name, err)
		}
		var list struct {
			Value []Pipeline `json:"value"`
		}
		if err := decode(serviceDevOps, resp, &list); err != nil {
			return Pipeline{}, err
		}
		for _, p := range list.Value {
			all = append(all, p)
			if strings.EqualFold(p.Name, base) && (folder == "" || strings.EqualFold(p.Folder, folder)) {
				matches = append(matches, p)
			}
		}
		if token = resp.Header.Get("X-MS-ContinuationToken"); token == "" {
			break
		}
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		names := make([]string, 0, len(all))
		for _, p := range all {
			names = append(names, p.Name)
		}
		return Pipeline{}, fmt.Errorf("%s: pipeline %q not found in %s/%s (it has %d: %s): check azure.devops.pipeline",
			serviceDevOps, name, d.Organization, d.Project, len(all), listMax(names, 8))
	}
	folders := make([]string, 0, len(matches))
	for _, p := range matches {
		folders = append(folders, p.Folder+`\`+p.Name)
	}
	return Pipeline{}, fmt.Errorf("%s: %d pipelines are named %q (%s): name the folder too, e.g. %q",
		serviceDevOps, len(matches), name, strings.Join(folders, ", "), folders[0])
}

// PATWarning says when the declared PAT expiry is near or past ("" otherwise).
func (d *DevOps) PATWarning() string {
	if d.PAT == nil || d.PATExpires.IsZero() {
		return ""
	}
	left := d.PATExpires.Sub(d.now())
	day := d.PATExpires.Format(time.DateOnly)
	switch {
	case left <= 0:
		return fmt.Sprintf("azure devops: the PAT expired on %s: create a new one and update the secret", day)
	case left <= PATWarnBefore:
		return fmt.Sprintf("azure devops: the PAT expires on %s (in %d days): renew it and update azure.devops.patExpires", day, int(math.Ceil(left.Hours()/24)))
	}
	return ""
}

func (d *DevOps) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *DevOps) warnPAT() {
	if w := d.PATWarning(); w != "" && d.Warn != nil {
		d.Warn(w)
	}
}

// do sends one request below {org}/{project}/_apis.
func (d *DevOps) do(ctx context.Context, method, path string, q url.Values, body []byte) (*arm.Response, error) {
	req, err := d.request(ctx, method, path, q, body)
	if err != nil {
		return nil, err
	}
	resp, err := arm.Send(ctx, d.HTTP, req)
	return resp, d.authHint(err)
}

// request builds one request below {org}/{project}/_apis with the
// credentials.
func (d *DevOps) request(ctx context.Context, method, path string, q url.Values, body []byte) (arm.Request, error) {
	if d.Organization == "" || d.Project == "" {
		return arm.Request{}, fmt.Errorf("%s: set azure.devops.organization and azure.devops.project", serviceDevOps)
	}
	h := http.Header{"X-Tfs-Fedauthredirect": {"Suppress"}} // 401 instead of a 203 sign-in page
	var secrets []string
	switch {
	case d.PAT != nil:
		pat, err := reveal(ctx, "azure devops PAT", d.PAT)
		if err != nil {
			return arm.Request{}, err
		}
		enc := base64.StdEncoding.EncodeToString([]byte(":" + pat))
		h.Set("Authorization", "Basic "+enc)
		secrets = []string{pat, enc}
	case d.Token != nil:
		tok, err := d.Token.Token(ctx, ScopeDevOps)
		if err != nil {
			return arm.Request{}, err
		}
		h.Set("Authorization", "Bearer "+tok)
		secrets = []string{tok}
	default:
		return arm.Request{}, fmt.Errorf("%s: no credentials: set azure.devops.pat or azure.devops.token", serviceDevOps)
	}
	base := strings.TrimSuffix(d.BaseURL, "/")
	if base == "" {
		base = DefaultDevOpsURL
	}
	if q == nil {
		q = url.Values{}
	}
	q.Set("api-version", DevOpsAPIVersion)
	u := base + "/" + url.PathEscape(d.Organization) + "/" + url.PathEscape(d.Project) + "/_apis" + path + "?" + q.Encode()
	ct := ""
	if body != nil {
		ct = "application/json"
	}
	return arm.Request{Service: serviceDevOps, Method: method, URL: u, Header: h, Body: body,
		ContentType: ct, Secrets: secrets, OK: []int{http.StatusOK}}, nil
}

// authHint adds what to do to a refusal of the credentials.
func (d *DevOps) authHint(err error) error {
	var apiErr *arm.APIError
	if errors.As(err, &apiErr) && (apiErr.Status == http.StatusUnauthorized || apiErr.Status == http.StatusNonAuthoritativeInfo) {
		hint := "the credentials were refused: check that the token is valid and has the Build (Read & execute) scope"
		if w := d.PATWarning(); w != "" && d.PATExpires.Before(d.now()) {
			hint = w
		}
		return fmt.Errorf("%w (%s)", err, hint)
	}
	return err
}

// splitPipelineName splits "\folder\name" or "folder/name" into the API's
// folder form (\folder) and the name.
func splitPipelineName(s string) (folder, name string) {
	s = strings.ReplaceAll(s, "/", `\`)
	i := strings.LastIndex(s, `\`)
	if i < 0 {
		return "", s
	}
	folder, name = strings.TrimSuffix(s[:i], `\`), s[i+1:]
	if !strings.HasPrefix(folder, `\`) {
		folder = `\` + folder
	}
	return folder, name
}

func listMax(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
