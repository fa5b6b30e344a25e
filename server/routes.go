package server

// routes is the whole route table.
func (s *Server) routes() {
	e := s.echo
	e.GET("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)
	e.GET("/metrics", s.handleMetrics)
	e.GET("/static/*", s.handleStatic)
	e.GET("/favicon.ico", s.handleFavicon)
	e.GET("/", s.handleHome)
	e.GET("/bilateral", s.handleBilateralPage)
	e.GET("/api/v1/bilateral", s.handleBilateralAPI)
	e.GET("/compare", s.handleComparePage)
	e.GET("/api/v1/compare", s.handleCompareAPI)
	e.GET("/mirror", s.handleMirrorPage)
	e.GET("/api/v1/mirror", s.handleMirrorAPI)
	e.GET("/partners", s.handlePartnersPage)
	e.GET("/api/v1/partners", s.handlePartnersAPI)
	e.GET("/data/partners.csv", s.handlePartnersData)
	e.GET("/data/partners.xlsx", s.handlePartnersData)
	e.GET("/charts/:file", s.handleChartImage) // {view}.svg|png of exportViews
	e.GET("/data/:file", s.handleChartData)    // {view}.csv|xlsx of exportViews
	e.GET("/api/v1/datasets", s.handleDatasetsAPI)
	e.POST("/api/v1/datasets", s.handleCreateDataset, s.requireAdmin)
	e.GET("/api/v1/datasets/:id", s.handleDatasetAPI)
	e.PATCH("/api/v1/datasets/:id", s.handleUpdateDataset, s.requireAdmin)
	e.DELETE("/api/v1/datasets/:id", s.handleDeleteDataset, s.requireAdmin)
	e.GET("/api/v1/datasets/:id/original", s.handleOriginal)
	e.GET("/datasets", s.handleDatasetsPage)
	e.GET("/datasets/new", s.handleUploadPage, s.requireAdmin)
	e.POST("/datasets/new", s.handlePreviewForm, s.requireAdmin)
	e.POST("/datasets/commit", s.handleCommitForm, s.requireAdmin)
	e.POST("/datasets/:id/edit", s.handleEditForm, s.requireAdmin)
	e.GET("/datasets/:id/delete", s.handleDeleteConfirm, s.requireAdmin)
	e.POST("/datasets/:id/delete", s.handleDeleteForm, s.requireAdmin)
	e.GET("/login", s.handleLoginPage)
	e.POST("/login", s.handleLogin)
	e.POST("/logout", s.handleLogout)
}
