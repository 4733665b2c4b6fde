package azure

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/onepipe/onepipe/internal/arm"
)

// RunPipeline queues a run of the pipeline on branch (refs/heads/ is added
// to a bare branch name) with template parameters. It is sent once.
func (d *DevOps) RunPipeline(ctx context.Context, pipelineID int, branch string, params map[string]string) (Run, error) {
	return d.RunPipelineWith(ctx, pipelineID, RunRequest{Branch: branch, Parameters: params})
}

// RunRequest is what a queued run gets.
type RunRequest struct {
	// Branch to run (refs/heads/ is added to a bare name; "" for the
	// pipeline's default).
	Branch string
	// Parameters are the template parameters (templateParameters).
	Parameters map[string]string
	// Variables are queue-time variables, sent as plain values; the
	// pipeline must let them be set at queue time.
	Variables map[string]string
}

// RunPipelineWith queues a run (Runs - Run Pipeline: POST
// {org}/{project}/_apis/pipelines/{id}/runs with resources.repositories.self.refName,
// templateParameters and variables as {name: {value, isSecret}};
// learn.microsoft.com/rest/api/azure/devops/pipelines/runs/run-pipeline).
// It is sent once. A run the service refuses comes back with the reasons
// it gives (customProperties.ValidationResults of a
// BuildRequestValidationFailedException, or a PipelineValidationException's
// message) in the error.
func (d *DevOps) RunPipelineWith(ctx context.Context, pipelineID int, r RunRequest) (Run, error) {
	d.warnPAT()
	ref := r.Branch
	if ref != "" && !strings.HasPrefix(ref, "refs/") {
		ref = "refs/heads/" + ref
	}
	body := map[string]any{}
	if ref != "" {
		body["resources"] = map[string]any{"repositories": map[string]any{"self": map[string]string{"refName": ref}}}
	}
	if len(r.Parameters) > 0 {
		body["templateParameters"] = r.Parameters
	}
	if len(r.Variables) > 0 {
		vars := map[string]any{}
		for k, v := range r.Variables {
			vars[k] = map[string]any{"value": v, "isSecret": false}
		}
		body["variables"] = vars
	}
	data, _ := json.Marshal(body)
	where := ref
	if where == "" {
		where = "its default branch"
	}
	req, err := d.request(ctx, http.MethodPost, "/pipelines/"+strconv.Itoa(pipelineID)+"/runs", nil, data)
	if err != nil {
		return Run{}, err
	}
	resp, err := arm.SendOnce(ctx, d.HTTP, req)
	if err != nil {
		return Run{}, fmt.Errorf("run pipeline %d on %s: %w", pipelineID, where, err)
	}
	if resp.Status != http.StatusOK {
		code, msg := arm.ErrorText(resp, req.Secrets...)
		if reasons := validationReasons(resp.Body); reasons != "" {
			msg = strings.TrimSuffix(msg, ".") + ": " + arm.OneLine(arm.Redact(reasons, req.Secrets...), 600)
		}
		err := d.authHint(&arm.APIError{Service: serviceDevOps, Method: req.Method, URL: arm.CleanURL(req.URL), Status: resp.Status, Code: code, Message: msg})
		return Run{}, fmt.Errorf("run pipeline %d on %s: %w", pipelineID, where, err)
	}
	return decodeRun(resp)
}

// validationReasons reads the reasons of a refused run: the messages of
// customProperties.ValidationResults (Microsoft.TeamFoundation.Build2.WebApi's
// BuildRequestValidationFailedException serializes them there, each
// {result: error|warning, message}), joined with "; ".
func validationReasons(body []byte) string {
	var out struct {
		CustomProperties struct {
			ValidationResults []struct {
				Result  string `json:"result"`
				Message string `json:"message"`
			} `json:"ValidationResults"`
		} `json:"customProperties"`
	}
	if json.Unmarshal(body, &out) != nil {
		return ""
	}
	var msgs []string
	for _, v := range out.CustomProperties.ValidationResults {
		if m := strings.TrimSpace(v.Message); m != "" && !strings.EqualFold(v.Result, "ok") {
			msgs = append(msgs, m)
		}
	}
	return strings.Join(msgs, "; ")
}

// GetRun reads a run.
func (d *DevOps) GetRun(ctx context.Context, pipelineID, runID int) (Run, error) {
	resp, err := d.do(ctx, http.MethodGet, fmt.Sprintf("/pipelines/%d/runs/%d", pipelineID, runID), nil, nil)
	if err != nil {
		return Run{}, fmt.Errorf("read run %d of pipeline %d: %w", runID, pipelineID, err)
	}
	return decodeRun(resp)
}

// WaitRun polls the run until it completes or timeout passes, and mirrors
// its result: an error wrapping ErrRunFailed unless it succeeded.
func (d *DevOps) WaitRun(ctx context.Context, pipelineID, runID int, timeout time.Duration) (Run, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	interval := d.PollInterval
	if interval <= 0 {
		interval = 10 * time.Second
	}
	var run Run
	for {
		r, err := d.GetRun(ctx, pipelineID, runID)
		if err != nil && ctx.Err() == nil {
			return run, err
		}
		if err == nil {
			run = r
			if run.State == "completed" {
				if run.Result == "succeeded" {
					return run, nil
				}
				return run, fmt.Errorf("%s: run %s of pipeline %d: %w: %s (%s)", serviceDevOps, run.Name, pipelineID, ErrRunFailed, run.Result, run.WebURL)
			}
		}
		if err != nil || arm.Sleep(ctx, interval) != nil {
			return run, fmt.Errorf("%s: run %d of pipeline %d still %s after %s: raise azure.devops.timeout or follow it at %s",
				serviceDevOps, runID, pipelineID, orUnknown(run.State), timeout, orUnknown(run.WebURL))
		}
	}
}

func decodeRun(resp *arm.Response) (Run, error) {
	var out struct {
		ID       int    `json:"id"`
		Name     string `json:"name"`
		State    string `json:"state"`
		Result   string `json:"result"`
		Pipeline struct {
			ID int `json:"id"`
		} `json:"pipeline"`
		Links struct {
			Web struct {
				Href string `json:"href"`
			} `json:"web"`
		} `json:"_links"`
	}
	if err := decode(serviceDevOps, resp, &out); err != nil {
		return Run{}, err
	}
	return Run{ID: out.ID, Name: out.Name, PipelineID: out.Pipeline.ID, State: out.State, Result: out.Result, WebURL: out.Links.Web.Href}, nil
}
