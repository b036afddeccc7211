// The API documentation page (/api/v1/docs): Swagger UI from the package, on motcua's OpenAPI document.
window.ui = SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
