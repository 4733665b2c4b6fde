package azurefake

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// scm is Kudu: the pushes, the deployment status, the settings it sees.
func (w *World) scm(rw http.ResponseWriter, r *http.Request) {
	w.record("scm", r)
	if !w.authorized(rw, r) {
		return
	}
	switch r.Method + " " + r.URL.Path {
	case "POST /api/publish", "POST /api/zipdeploy":
		flex := strings.EqualFold(w.Tier, "FlexConsumption")
		if flex != (r.URL.Path == "/api/publish") {
			rw.WriteHeader(http.StatusNotFound) // Flex has no zipdeploy; the others no publish
			return
		}
		body, _ := io.ReadAll(r.Body)
		w.mu.Lock()
		w.uploads = append(w.uploads, Upload{Path: r.URL.Path, Query: r.URL.RawQuery, ContentType: r.Header.Get("Content-Type"), Body: body})
		w.current = body
		w.mu.Unlock()
		rw.Header().Set("Location", w.SCM.URL+"/api/deployments/latest?deployer=onepipe&time=2025-01-01_00-00-00Z")
		rw.WriteHeader(http.StatusAccepted)
	case "GET /api/deployments/latest":
		reply(rw, http.StatusOK, map[string]any{"id": "fake-1", "status": 4, "complete": true, "deployer": "onepipe", "site_name": w.App})
	case "GET /api/settings":
		reply(rw, http.StatusOK, w.Settings())
	default:
		rw.WriteHeader(http.StatusNotFound)
	}
}

// blob takes Create Container and Put Blob (signatures are not checked).
func (w *World) blob(rw http.ResponseWriter, r *http.Request) {
	w.record("blob", r)
	if !strings.HasPrefix(r.Header.Get("Authorization"), "SharedKey fakestore:") {
		rw.Header().Set("x-ms-error-code", "AuthenticationFailed")
		rw.WriteHeader(http.StatusForbidden)
		return
	}
	switch {
	case r.Method == http.MethodPut && r.URL.Query().Get("restype") == "container":
		rw.WriteHeader(http.StatusCreated)
	case r.Method == http.MethodPut && r.Header.Get("x-ms-blob-type") == "BlockBlob":
		body, _ := io.ReadAll(r.Body)
		w.mu.Lock()
		w.blobs[r.URL.Path] = body
		w.uploads = append(w.uploads, Upload{Path: r.URL.Path, ContentType: r.Header.Get("Content-Type"), Body: body})
		w.mu.Unlock()
		rw.WriteHeader(http.StatusCreated)
	default:
		rw.WriteHeader(http.StatusBadRequest)
	}
}

// host is the Functions host: /api/health answers from the package the
// app runs.
func (w *World) host(rw http.ResponseWriter, r *http.Request) {
	w.record("host", r)
	pkg := w.Running()
	if r.URL.Path != "/api/health" {
		rw.WriteHeader(http.StatusNotFound)
		return
	}
	if pkg == nil {
		rw.WriteHeader(http.StatusServiceUnavailable) // no package yet: the host is starting
		return
	}
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil {
		reply(rw, http.StatusInternalServerError, map[string]string{"error": "the package is not a zip"})
		return
	}
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
		for d := f.Name; strings.Contains(d, "/"); {
			d = d[:strings.LastIndex(d, "/")]
			names[d] = true
		}
	}
	if !names["host.json"] {
		rw.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	for _, p := range w.Requires {
		if !names[".python_packages/lib/site-packages/"+p] {
			reply(rw, http.StatusInternalServerError, map[string]string{"error": fmt.Sprintf("ModuleNotFoundError: No module named '%s'", p)})
			return
		}
	}
	reply(rw, http.StatusOK, map[string]string{"status": "ok"})
}
