package azure

import (
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/onepipe/onepipe/internal/arm"
)

// StorageVersion is the Azure Storage REST version the blob requests and
// the read SAS use (2019-12-12: Put Blob takes up to 5000 MiB in one
// request).
const StorageVersion = "2019-12-12"

const serviceStorage = "Azure Storage"

// StorageAccount is a storage account reached with its account key, as a
// connection string (an app's AzureWebJobsStorage setting) gives it. Its
// key is a secret: it signs requests and never appears in an error.
type StorageAccount struct {
	Name string
	key  []byte
	// keyText is the key as the connection string holds it (for redaction).
	keyText string
	// BlobEndpoint is the blob service, e.g. https://shopstore.blob.core.windows.net.
	BlobEndpoint string
}

// ParseStorageConnectionString reads a storage connection string
// (AccountName, AccountKey, and BlobEndpoint or DefaultEndpointsProtocol
// with EndpointSuffix). Errors name what is missing, never the key.
func ParseStorageConnectionString(s string) (StorageAccount, error) {
	kv := map[string]string{}
	for _, part := range strings.Split(s, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok {
			kv[strings.ToLower(k)] = v
		}
	}
	if strings.EqualFold(kv["usedevelopmentstorage"], "true") {
		return StorageAccount{}, errors.New("the storage connection string is UseDevelopmentStorage=true (the local emulator): give the app a storage account")
	}
	a := StorageAccount{Name: kv["accountname"], keyText: kv["accountkey"], BlobEndpoint: strings.TrimSuffix(kv["blobendpoint"], "/")}
	if a.Name == "" || a.keyText == "" {
		return StorageAccount{}, errors.New("the storage connection string has no AccountName and AccountKey (an identity-based connection?)")
	}
	key, err := base64.StdEncoding.DecodeString(a.keyText)
	if err != nil {
		return StorageAccount{}, errors.New("the storage connection string's AccountKey is not base64")
	}
	a.key = key
	if a.BlobEndpoint == "" {
		proto, suffix := kv["defaultendpointsprotocol"], kv["endpointsuffix"]
		if proto == "" {
			proto = "https"
		}
		if suffix == "" {
			suffix = "core.windows.net"
		}
		a.BlobEndpoint = proto + "://" + a.Name + ".blob." + suffix
	}
	if u, err := url.Parse(a.BlobEndpoint); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return StorageAccount{}, errors.New("the storage connection string's blob endpoint is not an http(s) URL")
	}
	return a, nil
}

// Blobs writes blobs to a storage account with Shared Key authorization.
type Blobs struct {
	Account StorageAccount
	// HTTP is the client requests go through (http.DefaultClient if nil).
	HTTP *http.Client
	// Now is the clock (time.Now if nil).
	Now func() time.Time
}

// EnsureContainer creates container unless it exists (Create Container:
// PUT ?restype=container; 409 ContainerAlreadyExists is fine).
func (b *Blobs) EnsureContainer(ctx context.Context, container string) error {
	_, err := b.do(ctx, http.MethodPut, "/"+container, url.Values{"restype": {"container"}}, nil, "", http.StatusCreated, http.StatusConflict)
	if err != nil {
		return fmt.Errorf("create container %s: %w", container, err)
	}
	return nil
}

// Put writes data as the block blob container/name in one request (Put
// Blob) with its MD5, so the service checks what arrived.
func (b *Blobs) Put(ctx context.Context, container, name string, data []byte, contentType string) error {
	sum := md5.Sum(data)
	h := http.Header{}
	h.Set("x-ms-blob-type", "BlockBlob")
	h.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
	if _, err := b.doHeader(ctx, http.MethodPut, "/"+container+"/"+name, nil, h, data, contentType, http.StatusCreated); err != nil {
		return fmt.Errorf("upload %s/%s: %w", container, name, err)
	}
	return nil
}

// ReadURL is the blob's URL with a service SAS that grants read access
// from start until expiry, signed with the account key (Create a service
// SAS, version 2018-11-09 and later; the string to sign as
// Azure/azure-sdk-for-go sdk/storage/azblob/sas/service.go builds it). The
// URL is a secret: whoever holds it reads the package.
func (b *Blobs) ReadURL(container, name string, start, expiry time.Time) string {
	st, se := start.UTC().Format(time.RFC3339), expiry.UTC().Format(time.RFC3339)
	canonical := "/blob/" + b.Account.Name + "/" + container + "/" + name
	toSign := strings.Join([]string{
		"r", st, se, canonical,
		"",                 // signed identifier
		"",                 // signed IP
		"https",            // signed protocol: the package travels encrypted
		StorageVersion,     // signed version
		"b",                // signed resource: a blob
		"",                 // snapshot time
		"", "", "", "", "", // rscc, rscd, rsce, rscl, rsct
	}, "\n")
	q := url.Values{"sv": {StorageVersion}, "sp": {"r"}, "st": {st}, "se": {se}, "sr": {"b"}, "spr": {"https"}, "sig": {b.sign(toSign)}}
	return b.Account.BlobEndpoint + "/" + container + "/" + name + "?" + q.Encode()
}

func (b *Blobs) do(ctx context.Context, method, path string, q url.Values, body []byte, contentType string, ok ...int) (*arm.Response, error) {
	return b.doHeader(ctx, method, path, q, http.Header{}, body, contentType, ok...)
}

// doHeader signs and sends one request (Shared Key: Authorize with Shared
// Key, the string to sign as Azure/azure-sdk-for-go
// sdk/storage/azblob/internal/exported/shared_key_credential.go builds it).
func (b *Blobs) doHeader(ctx context.Context, method, path string, q url.Values, h http.Header, body []byte, contentType string, ok ...int) (*arm.Response, error) {
	now := time.Now
	if b.Now != nil {
		now = b.Now
	}
	u := b.Account.BlobEndpoint + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	pu, err := url.Parse(u)
	if err != nil {
		return nil, fmt.Errorf("%s: bad URL for %s", serviceStorage, path)
	}
	h.Set("x-ms-date", now().UTC().Format(http.TimeFormat))
	h.Set("x-ms-version", StorageVersion)
	length := ""
	if len(body) > 0 {
		length = fmt.Sprint(len(body))
	}
	toSign := strings.Join([]string{
		method, h.Get("Content-Encoding"), h.Get("Content-Language"), length, h.Get("Content-MD5"), contentType,
		"", // Date: x-ms-date is sent instead
		h.Get("If-Modified-Since"), h.Get("If-Match"), h.Get("If-None-Match"), h.Get("If-Unmodified-Since"), h.Get("Range"),
		canonicalHeaders(h), b.canonicalResource(pu),
	}, "\n")
	sig := b.sign(toSign)
	h.Set("Authorization", "SharedKey "+b.Account.Name+":"+sig)
	r := arm.Request{Service: serviceStorage, Method: method, URL: u, Header: h, Body: body, ContentType: contentType,
		Secrets: []string{b.Account.keyText, sig}, Tries: 1}
	if body == nil && method == http.MethodPut {
		r.Body = []byte{}
	}
	resp, err := arm.SendOnce(ctx, b.HTTP, r)
	if err != nil {
		return nil, err
	}
	if slices.Contains(ok, resp.Status) {
		return resp, nil
	}
	code, msg := arm.ErrorText(resp, r.Secrets...)
	if c := resp.Header.Get("x-ms-error-code"); c != "" {
		code = c
	}
	return nil, &arm.APIError{Service: serviceStorage, Method: method, URL: arm.CleanURL(u), Status: resp.Status, Code: code, Message: msg}
}

func (b *Blobs) sign(s string) string {
	m := hmac.New(sha256.New, b.Account.key)
	m.Write([]byte(s))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// canonicalHeaders are the x-ms- headers, lower-cased and sorted, one
// name:value a line.
func canonicalHeaders(h http.Header) string {
	var lines []string
	for k, v := range h {
		if k = strings.ToLower(strings.TrimSpace(k)); strings.HasPrefix(k, "x-ms-") {
			lines = append(lines, k+":"+strings.Join(v, ","))
		}
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// canonicalResource is /account/path then each query parameter, sorted,
// as \nname:value.
func (b *Blobs) canonicalResource(u *url.URL) string {
	s := "/" + b.Account.Name + u.EscapedPath()
	q := u.Query()
	for _, k := range slices.Sorted(maps.Keys(q)) {
		vs := slices.Sorted(slices.Values(q[k]))
		s += "\n" + strings.ToLower(k) + ":" + strings.Join(vs, ",")
	}
	return s
}
