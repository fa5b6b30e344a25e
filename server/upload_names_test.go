package server

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// TestUploadErrorsNameTheFile: a refused upload's 413 or 400 says which
// file it was about, whether the body's size was declared or not, and a
// hostile name is cleaned before it is shown.
func TestUploadErrorsNameTheFile(t *testing.T) {
	t.Parallel()
	const limit = 64 << 10
	a := mustAdminServer(t, limit)
	auth := func(ct string) map[string]string {
		return map[string]string{"Authorization": "Bearer " + testToken, "Content-Type": ct}
	}
	huge := tradeCSV(50000, 1) // synthetic, over limit + the 1 MB allowed for form fields
	if len(huge) <= limit+1<<20 {
		t.Fatalf("test file is only %d bytes", len(huge))
	}
	over := tradeCSV(4000, 1) // over the limit, under limit + 1 MB

	truncated, ct := multipartBody(t, nil, "cut short.csv", over[:1000], nil)
	cut := bytes.TrimSuffix(truncated.Bytes(), []byte("--"+strings.TrimPrefix(ct, "multipart/form-data; boundary=")+"--\r\n"))
	cut = cut[:len(cut)-200] // the part ends nowhere

	tests := []struct {
		name   string
		body   func() (io.Reader, string)
		status int
		want   string
	}{
		{"declared too large", func() (io.Reader, string) {
			b, ct := multipartBody(t, []field{{"name", "x"}}, "exports 2023.csv", huge, nil)
			return b, ct
		}, 413, `The file \"exports 2023.csv\" is larger than this server accepts (65536 bytes`},
		{"too large, found while reading", func() (io.Reader, string) {
			b, ct := multipartBody(t, nil, "exports 2024.csv", over, nil)
			return b, ct
		}, 413, `The file \"exports 2024.csv\" is larger`},
		{"too large, no Content-Length", func() (io.Reader, string) {
			b, ct := multipartBody(t, nil, "chunked.csv", huge, nil)
			return io.MultiReader(b), ct // hides the length: sent chunked
		}, 413, `The file \"chunked.csv\" is larger`},
		{"a path in the name", func() (io.Reader, string) {
			b, ct := multipartBody(t, nil, `..\..\etc\passwd.csv`, over, nil)
			return b, ct
		}, 413, `The file \"passwd.csv\" is larger`},
		{"cut short", func() (io.Reader, string) {
			return bytes.NewReader(cut), ct
		}, 400, `the upload \"cut short.csv\" could not be read to its end`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, ct := tt.body()
			resp, got := a.do(t, "POST", "/api/v1/datasets", body, auth(ct))
			if resp.StatusCode != tt.status || !strings.Contains(got, tt.want) {
				t.Errorf("%d %s\nwant %d with %s", resp.StatusCode, got, tt.status, tt.want)
			}
		})
	}

}
