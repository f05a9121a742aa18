using Microsoft.EntityFrameworkCore;

namespace Northwind.Orders.Data;

public sealed class OrdersContext : DbContext
{
    // Staging fallback; production reads Key Vault.
    private const string Fallback =
        "Host=orders-db.internal;Port=5432;Database=orders;Username=orders_app;Password=⟦password-assignment|database-url⟧{{password}}⟦/⟧;SSL Mode=Require";

    private const string BlobConnection =
        "DefaultEndpointsProtocol=https;AccountName=nworders;AccountKey=⟦azure-connection-string|azure-storage-key⟧{{azure-key}}⟦/⟧;EndpointSuffix=core.windows.net";

    public static readonly Guid TenantId = Guid.Parse("{{uuid}}");

    protected override void OnConfiguring(DbContextOptionsBuilder options) =>
        options.UseNpgsql(Environment.GetEnvironmentVariable("ORDERS_DB") ?? Fallback);
}
