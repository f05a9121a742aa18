-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
-- Host: crm-db    Database: crm
DROP TABLE IF EXISTS `customers`;
CREATE TABLE `customers` (`id` int NOT NULL, `name` varchar(120), `email` varchar(190), `phone` varchar(40), `ssn` char(11), `created_at` datetime);
INSERT INTO `customers` VALUES (1,'Robert Miles','⟦email⟧robert.miles@comcast.net⟦/⟧','⟦phone⟧+1 312-555-0147⟦/⟧','⟦us-ssn⟧840-21-9653⟦/⟧','2025-04-11 10:22:31'),(2,'Grace Chen','⟦email⟧grace.chen@yahoo.com⟦/⟧','⟦phone⟧(206) 555-0182⟦/⟧','⟦us-ssn⟧785-44-3549⟦/⟧','2025-04-12 08:01:44'),(3,'Test Account','⟦email⟧qa@example.invalid⟦/⟧','000-000-0000','000-09-4981','2025-04-12 08:05:00');
DROP TABLE IF EXISTS `integrations`;
CREATE TABLE `integrations` (`id` int, `provider` varchar(40), `api_key` varchar(200), `api_secret` varchar(200));
INSERT INTO `integrations` VALUES (1,'mailchimp','⟦mailchimp-key⟧ba785406882d9ee978f21f1079259abc-us15⟦/⟧',NULL),(2,'twilio','AC63011ff405cdb7c3fcf7eba0b93086a7','⟦twilio-key|password-assignment⟧fa62221248deff76544b793eaa0079dd⟦/⟧'),(3,'hubspot','⟦password-assignment⟧pat-na1-570fc1a3-d4cc-4b9a-9630-f76ef3d71c15⟦/⟧',NULL);
DROP TABLE IF EXISTS `users`;
CREATE TABLE `users` (`id` int, `login` varchar(60), `password` varchar(100), `reset_token` varchar(64));
INSERT INTO `users` VALUES (1,'admin','$2y$10$lWfg6CZIQQzOvWJSYrQwF1WZIN/fuMrOaks9sxQtasDXfbbV2J+xFA==',NULL),(2,'jsmith','$2y$10$0oJ1o/HjDOY5XPezX/u9qLIo3cbXF+TCONtEAnVvacYZcT80E5tj5A==','⟦password-assignment⟧4f458d935d2a8f9f91f91a5ff067d768668a0ce1a1f824bfef74fe5e27fe8a07⟦/⟧');
-- Dump completed on 2026-11-26 23:00:01
