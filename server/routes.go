package server

// routes is the whole route table. Routes with s.cached answer from the
// response cache (cache.go): read-only, the same for every anonymous
// reader, and changed only by writes that raise the data version.
func (s *Server) routes() {
	e := s.echo
	e.GET("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)
	e.GET("/metrics", s.handleMetrics)
	e.GET("/static/*", s.handleStatic)
	e.GET("/favicon.ico", s.handleFavicon)
	e.GET("/", s.handleHome, s.cached)
	e.GET("/bilateral", s.handleBilateralPage, s.cached)
	e.GET("/api/v1/bilateral", s.handleBilateralAPI, s.cached)
	e.GET("/compare", s.handleComparePage, s.cached)
	e.GET("/api/v1/compare", s.handleCompareAPI, s.cached)
	e.GET("/api/v1/sectors", s.handleSectorsAPI, s.cached)
	e.GET("/mirror", s.handleMirrorPage, s.cached)
	e.GET("/api/v1/mirror", s.handleMirrorAPI, s.cached)
	e.GET("/partners", s.handlePartnersPage, s.cached)
	e.GET("/api/v1/partners", s.handlePartnersAPI, s.cached)
	e.GET("/data/partners.csv", s.handlePartnersData, s.cached)
	e.GET("/data/partners.xlsx", s.handlePartnersData, s.cached)
	e.GET("/products", s.handleProductsPage, s.cached)
	e.GET("/api/v1/products", s.handleProductsAPI, s.cached)
	e.GET("/data/products.csv", s.handleProductsData, s.cached)
	e.GET("/data/products.xlsx", s.handleProductsData, s.cached)
	e.GET("/api/v1/countries", s.handleCountriesAPI, s.cached)
	e.GET("/api/v1/product-codes", s.handleProductCodesAPI, s.cached)
	e.GET("/charts/:file", s.handleChartImage)        // {view}.svg|png of exportViews
	e.GET("/data/:file", s.handleChartData, s.cached) // {view}.csv|xlsx of exportViews
	e.GET("/api/v1/datasets", s.handleDatasetsAPI, s.cached)
	e.POST("/api/v1/datasets", s.handleCreateDataset, s.requireAdmin)
	e.GET("/api/v1/datasets/:id", s.handleDatasetAPI, s.cached)
	e.PATCH("/api/v1/datasets/:id", s.handleUpdateDataset, s.requireAdmin)
	e.DELETE("/api/v1/datasets/:id", s.handleDeleteDataset, s.requireAdmin)
	e.GET("/api/v1/datasets/:id/original", s.handleOriginal)
	e.GET("/datasets", s.handleDatasetsPage, s.cached)
	e.GET("/datasets/new", s.handleUploadPage, s.requireAdmin)
	e.POST("/datasets/new", s.handlePreviewForm, s.requireAdmin)
	e.POST("/datasets/commit", s.handleCommitForm, s.requireAdmin)
	e.GET("/datasets/imports/:id", s.handleImportPage, s.requireAdmin)
	e.GET("/api/v1/imports/:id", s.handleImportAPI, s.requireAdmin)
	e.POST("/datasets/:id/edit", s.handleEditForm, s.requireAdmin)
	e.POST("/datasets/:id/default", s.handleDefaultForm, s.requireAdmin)
	e.GET("/datasets/:id/delete", s.handleDeleteConfirm, s.requireAdmin)
	e.POST("/datasets/:id/delete", s.handleDeleteForm, s.requireAdmin)
	e.GET("/login", s.handleLoginPage)
	e.POST("/login", s.handleLogin)
	e.POST("/logout", s.handleLogout)
}
