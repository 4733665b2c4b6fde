package azure

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/onepipe/onepipe/internal/arm"
)

// MergeAppSettings sets the given app settings and keeps the others: it lists
// them (POST config/appsettings/list) and writes them back (PUT
// config/appsettings), since ARM replaces the whole set. Values of secrets
// and of every existing setting are kept out of errors.
func (c *ARM) MergeAppSettings(ctx context.Context, app FunctionApp, set map[string]string, secrets ...string) error {
	cur, err := c.AppSettings(ctx, app, secrets...)
	if err != nil {
		return err
	}
	return c.putAppSettings(ctx, app, cur, set, secrets...)
}

// AppSettings lists the app's settings (POST config/appsettings/list).
// They hold secrets (connection strings, keys): keep them out of output.
func (c *ARM) AppSettings(ctx context.Context, app FunctionApp, secrets ...string) (map[string]string, error) {
	resp, err := c.do(ctx, http.MethodPost, app, "/config/appsettings/list", nil, nil, secrets...)
	if err != nil {
		return nil, fmt.Errorf("list app settings: %w", err)
	}
	var cur struct {
		Properties map[string]string `json:"properties"`
	}
	if err := decode(arm.Service, resp, &cur); err != nil {
		return nil, err
	}
	if cur.Properties == nil {
		cur.Properties = map[string]string{}
	}
	return cur.Properties, nil
}

// putAppSettings writes cur with set applied (PUT config/appsettings).
func (c *ARM) putAppSettings(ctx context.Context, app FunctionApp, cur, set map[string]string, secrets ...string) error {
	all := make(map[string]string, len(cur)+len(set))
	for k, v := range cur {
		all[k] = v
		if len(v) >= 8 { // short values (true, python) are settings, not secrets
			secrets = append(secrets, v)
		}
	}
	for k, v := range set {
		all[k] = v
	}
	body := map[string]any{"properties": all}
	if _, err := c.do(ctx, http.MethodPut, app, "/config/appsettings", nil, body, secrets...); err != nil {
		names := make([]string, 0, len(set))
		for k := range set {
			names = append(names, k)
		}
		sort.Strings(names)
		return fmt.Errorf("update app settings %s: %w", strings.Join(names, ", "), err)
	}
	return nil
}
